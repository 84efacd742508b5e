"""`minimise inventory init | generate | diff` end to end, with golden files and a real git repository."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.inventory import parse_inventory
from minimise.knowledge import load_knowledge

FIXTURES = Path(__file__).parent / "fixtures" / "inventory"
PROJECT = FIXTURES / "project"
UPDATE = os.environ.get("MINIMISE_UPDATE_GOLDEN") == "1"


def _golden(name: str, text: str) -> None:
    path = FIXTURES / name
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with MINIMISE_UPDATE_GOLDEN=1"


def _golden_bytes(name: str, data: bytes) -> None:
    """For CSV: the byte order mark and the CRLF line ends are part of what is checked."""
    path = FIXTURES / name
    if UPDATE:
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{name} changed; rerun with MINIMISE_UPDATE_GOLDEN=1"


def _minimise(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The installed command line, run as a user would run it."""
    return subprocess.run(
        [sys.executable, "-m", "minimise", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8"
    )


def _copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    return root


# ----------------------------------------------------------------------------- init
def test_init_writes_a_starter_that_allows_no_logging_or_sharing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _copy_project(tmp_path)
    (root / "data-inventory.yaml").unlink()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "init", "shop", "--system", "shop"])
    assert result.exit_code == 0, result.output
    text = (root / "data-inventory.yaml").read_text(encoding="utf-8")
    _golden("starter.yaml", text)
    inventory = parse_inventory(text, "data-inventory.yaml")
    assert [i.id for i in inventory.items] == [
        "contact_email",
        "contact_phone_number",
        "demographic_date_of_birth",
        "financial_credit_card",
        "government_id_national_identification_number",
    ]
    assert "# lawful_basis: contract  # TODO" in text and "purposes: []  # TODO" in text
    assert "# retention: {period: P2Y, after: account_closed}  # TODO" in text
    assert {name: r.vendor for name, r in inventory.recipients.items()} == {
        "mixpanel": "Mixpanel",
        "segment": "Segment",
        "sentry": "Sentry",
    }
    email = inventory.item("contact_email")
    assert email is not None and email.allow == {"collect": True, "store": ("database",), "log": False, "share": False}
    assert "    # - logged to application logs at views.py:13 (`email`); if intended: log: true\n" in text
    assert "    # - shared with Mixpanel at views.py:15 (`email`); if intended: share: [mixpanel]\n" in text
    card = inventory.item("financial_credit_card")
    assert card is not None and card.allow["store"] is False  # stored in clear: not blessed
    assert "# - stored without encryption in the customer database at models.py:6 (`card_number`)" in text


def test_a_scan_right_after_init_still_reports_the_risky_uses(tmp_path: Path) -> None:
    root = _copy_project(tmp_path)
    (root / "data-inventory.yaml").unlink()
    init = _minimise(root, "inventory", "init", ".", "--system", "shop", "-j", "1")
    assert init.returncode == 0, init.stderr
    assert init.stderr == "minimise: wrote data-inventory.yaml: 5 items; complete the TODOs.\n"
    scan = _minimise(root, "scan", ".", "--format", "json", "-j", "1", "--cache-dir", str(tmp_path / "cache"))
    assert scan.returncode == 1, scan.stderr
    findings = [
        (f["code"], f["path"], f["line"], f["category"], f["action"]) for f in json.loads(scan.stdout)["findings"]
    ]
    assert findings == [
        ("MIN506", "data-inventory.yaml", 50, "user.financial.credit_card", ""),
        ("MIN506", "data-inventory.yaml", 62, "user.government_id.national_identification_number", ""),
        ("MIN502", "shop/models.py", 6, "user.financial.credit_card", "store"),
        ("MIN504", "shop/models.py", 6, "user.financial.credit_card", "store"),
        ("MIN502", "shop/models.py", 8, "user.government_id.national_identification_number", "store"),
        ("MIN504", "shop/models.py", 8, "user.government_id.national_identification_number", "store"),
        ("MIN502", "shop/views.py", 13, "user.contact.email", "log"),  # the logged email
        ("MIN502", "shop/views.py", 14, "user.contact.email", "share"),
        ("MIN502", "shop/views.py", 15, "user.contact.email", "share"),
        ("MIN502", "shop/views.py", 16, "user.contact.email", "share"),
    ]


def test_init_leaves_tests_out_unless_asked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    (root / "data-inventory.yaml").unlink()
    (root / "tests").mkdir()
    (root / "tests" / "test_signup.py").write_text(
        "def test_signup(client):\n    client.post('/signup', data={'passport_number': 'X1'})\n"
        "    passport_number = input('passport number? ')\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(root)
    assert CliRunner().invoke(cli, ["inventory", "init", "."]).exit_code == 0
    assert "passport" not in (root / "data-inventory.yaml").read_text(encoding="utf-8")
    (root / "data-inventory.yaml").unlink()
    assert CliRunner().invoke(cli, ["inventory", "init", ".", "--include-tests"]).exit_code == 0
    assert "government_id_passport_number" in (root / "data-inventory.yaml").read_text(encoding="utf-8")


def test_init_refuses_to_overwrite_and_never_changes_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    target = root / "data-inventory.yaml"
    before = target.read_bytes()
    stat = target.stat()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "init", "shop"])
    assert result.exit_code == 1
    assert target.read_bytes() == before and target.stat().st_mtime_ns == stat.st_mtime_ns
    assert sorted(p.name for p in root.iterdir()) == ["data-inventory.yaml", "shop"]  # no temporary files left
    assert "data-inventory.yaml already exists; minimise never rewrites it." in result.stderr
    assert result.stdout.startswith(
        "# Add under `data:` in data-inventory.yaml (review every TODO):\n  - id: demographic_date_of_birth\n"
    )
    assert "# TODO: also shared via mixpanel: declare the store or recipient, then allow it" not in result.stdout


def test_init_on_a_broken_inventory_explains_and_keeps_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    target = root / "data-inventory.yaml"
    target.write_text("version: 1\ndata: [\n", encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "init", "shop"])
    assert result.exit_code == 1
    assert target.read_text(encoding="utf-8") == "version: 1\ndata: [\n"
    assert "data-inventory.yaml:3:1: invalid YAML" in result.stderr
    assert result.stdout.startswith("# Data inventory:")


# ----------------------------------------------------------------------------- generate
@pytest.mark.parametrize(
    ("fmt", "golden"),
    [("yaml", "observed.yaml"), ("json", "observed.json"), ("csv", "activities.csv"), ("csv-items", "items.csv")],
)
def test_generate_matches_the_golden_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, golden: str
) -> None:
    root = _copy_project(tmp_path)
    monkeypatch.chdir(root)
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(cli, ["inventory", "generate", ".", "--format", fmt, "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    _golden_bytes(golden, out.read_bytes())


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    # What a spreadsheet sees: UTF-8 after the byte order mark, records split per RFC 4180.
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    return list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"), newline="")))


SHOP = Path(__file__).parents[1] / "examples" / "shop"


def test_record_of_processing_names_vendors_and_hosts_never_libraries(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    out = tmp_path / "ropa.csv"
    result = _minimise(root, "inventory", "generate", ".", "--format", "csv", "-o", str(out), "-j", "1")
    assert result.returncode == 0, result.stderr
    _golden_bytes("shop-activities.csv", out.read_bytes())
    rows = _csv_rows(out.read_bytes())
    recipients = {r for row in rows for r in row["Recipients"].split("; ") if r != "none"}
    assert recipients == {"Segment", "Sentry", "crm.example.com"}
    knowledge = load_knowledge()
    libraries = {s.id for s in knowledge.sinks} | {"flask", "sqlalchemy", "werkzeug"}
    for row in rows:
        for cell in row.values():
            assert not set(re.findall(r"[a-z_][a-z0-9_.-]*", cell)) & libraries, cell
            assert not re.search(r"\b(user|essential|analytics)\.[a-z_]+", cell), cell
    by_activity = {row["Activity"]: row for row in rows}
    analytics = by_activity["Analytics for Reporting"]
    assert analytics["Recipients"] == "Segment"
    assert analytics["Third-country transfers and safeguards"] == (
        "Segment (US): Standard contractual clauses (Art. 46(2)(c))"
    )
    assert analytics["Lawful basis"] == "Contract (Art. 6(1)(b))"
    assert analytics["Categories of data subjects"] == "Customer"
    assert analytics["Controller / owner"] == "shop (controller); owner @acme/growth"
    support = by_activity["Essential for Operations Support"]
    assert support["Recipients"] == "crm.example.com"  # the host of the literal URL in shop/views.py
    assert support["Third-country transfers and safeguards"] == "none"  # crm is in Germany
    auth = by_activity["Essential Service Authentication"]
    assert auth["Technical measures"] == "Hashing of Password"
    assert auth["Retention"] == "Password: deleted when account closed"
    assert by_activity["Not in the data inventory"]["Categories of personal data"] == "Date of birth; Postal address"


def test_csv_cells_never_run_as_formulas(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(SHOP, root)
    out = tmp_path / "items.csv"
    assert _minimise(root, "inventory", "generate", ".", "--format", "csv-items", "-o", str(out)).returncode == 0
    owners = {row["Owner"] for row in _csv_rows(out.read_bytes())}
    assert owners == {"'@acme/growth", "'@acme/shop", ""}  # "@..." would be a formula in Excel


def test_generate_leaves_tests_out_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    (root / "tests").mkdir()
    (root / "tests" / "test_views.py").write_text("def test_x(logger):\n    logger.info('%s', 'x', phone)\n", "utf-8")
    (root / "shop" / "conftest.py").write_text("import logging\nlogging.info('%s', passport_number)\n", "utf-8")
    monkeypatch.chdir(root)
    default = CliRunner().invoke(cli, ["inventory", "generate", ".", "--format", "json"])
    assert "tests/test_views.py" not in default.stdout and "shop/conftest.py" not in default.stdout
    everything = CliRunner().invoke(cli, ["inventory", "generate", ".", "--format", "json", "--include-tests"])
    ats = {u["at"] for e in json.loads(everything.stdout)["items"] for a in ("log",) for u in e[a]}
    assert {"tests/test_views.py:2", "shop/conftest.py:2"} <= ats


def test_generate_ignores_line_moves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    monkeypatch.chdir(root)
    first = CliRunner().invoke(cli, ["inventory", "generate", "."]).stdout
    views = root / "shop" / "views.py"
    views.write_text("\n\n\n" + views.read_text(encoding="utf-8"), encoding="utf-8")
    second = CliRunner().invoke(cli, ["inventory", "generate", "."]).stdout
    strip = [line for line in first.splitlines() if "at:" not in line]
    assert strip == [line for line in second.splitlines() if "at:" not in line]
    assert first != second  # the evidence moved


def test_generate_rejects_a_broken_inventory_with_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    (root / "data-inventory.yaml").write_text(
        "version: 1\ndata:\n  - id: a\n    category: user.contact.emial\n", encoding="utf-8"
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "generate", "."])
    assert result.exit_code == 2
    assert result.stderr == (
        "minimise: error: data-inventory.yaml:4:5: data[0].category: unknown data category "
        "'user.contact.emial' (did you mean 'user.contact.email'?)\n"
    )


# ----------------------------------------------------------------------------- diff
def _git(root: Path, *args: str) -> str:
    # A GIT_DIR or GIT_INDEX_FILE inherited from a hook or another tool must not redirect git.
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
    )
    done = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"git {' '.join(args)} in {root} failed ({done.returncode}): {done.stderr}"
    return done.stdout


BASE_VIEWS = """\
import logging

logger = logging.getLogger(__name__)


def signup(request):
    email = request.POST["email"]
    phone = request.POST["phone"]
    logger.info("calling %s", phone)
    return email
"""

FEATURE_VIEWS = """\
import logging

import analytics
import mixpanel

logger = logging.getLogger(__name__)
mp = mixpanel.Mixpanel("token")


def signup(request):
    email = request.POST["email"]
    birth_date = request.POST["birth_date"]
    analytics.track("signup", {"email": email})
    mp.track("signup", {"email": email})
    return email, birth_date
"""

BASE_INVENTORY = """\
version: 1
recipients:
  segment: {kind: processor, purpose: analytics.reporting, country: US}
data:
  - id: customer_email
    label: Email address
    category: user.contact.email
    purposes: [essential.service.notifications.email]
    owner: "@growth"
    allow: {collect: true}
  - id: phone
    label: Phone number
    category: user.contact.phone_number
    allow: {collect: true, log: true}
"""


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "app").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    (root / "app" / "views.py").write_text(BASE_VIEWS, encoding="utf-8")
    (root / "data-inventory.yaml").write_text(BASE_INVENTORY, encoding="utf-8")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "checkout", "-q", "-b", "feature")
    (root / "app" / "views.py").write_text(FEATURE_VIEWS, encoding="utf-8")
    inventory = BASE_INVENTORY.replace(
        "[essential.service.notifications.email]", "[essential.service.notifications.email, analytics.reporting]"
    )
    inventory = inventory.replace(
        'owner: "@growth"\n    allow: {collect: true}', 'owner: "@growth"\n    allow: {collect: true, share: [segment]}'
    )
    (root / "data-inventory.yaml").write_text(inventory, encoding="utf-8")
    _git(root, "commit", "-q", "-am", "feature")
    # Uncommitted work in the tree and the index must survive the diff untouched.
    (root / "app" / "views.py").write_text(FEATURE_VIEWS + "\n# wip\n", encoding="utf-8")
    (root / "notes.txt").write_text("draft\n", encoding="utf-8")
    _git(root, "add", "notes.txt")
    (root / "scratch.py").write_text("x = 1\n", encoding="utf-8")
    return root


def test_diff_markdown_decisions_first_and_untouched_worktree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    status, stash = _git(root, "status", "--porcelain"), _git(root, "stash", "list")
    head = _git(root, "rev-parse", "HEAD")
    index = (root / ".git" / "index").read_bytes()
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "-j", "1"])
    assert result.exit_code == 0, result.output
    _golden("diff.md", result.stdout)
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "<!-- minimise-inventory-diff -->",
        "### Personal data changes against `main`",
        "",
        "**6 decisions needed** · 3 new uses · 2 stopped · 2 inventory edits",
    ]
    decisions = [line for line in lines if re.match(r"\| \d+ \|", line)]
    assert [d.split(" | ")[1] for d in decisions] == [
        "New personal data: Date of birth is collected through the web form (sign-up page), "
        "and it is not in the data inventory",
        "Email address is sent to Mixpanel, which the data inventory does not allow",
        "New recipient: Mixpanel receives Email address",
        "New recipient: Segment receives Email address",
        "Email address may now be sent to Segment",
        "Email address has a new purpose: Analytics for Reporting",
    ]
    assert decisions[0].endswith(" | privacy lead and data owner |")
    assert decisions[1].endswith(" | data owner (@growth) |")
    assert "| Stopped | Phone number | no longer written to application logs |" in lines
    evidence = result.stdout.split("<details><summary>Evidence for developers</summary>", 1)[1]
    assert "  - `app/views.py:12` `app.views.signup.birth_date` — MIN501" in evidence
    assert "  - `app/views.py:9` `app.views.signup.phone`" in evidence
    assert evidence.rstrip().endswith("</details>")
    assert _git(root, "status", "--porcelain") == status
    assert _git(root, "stash", "list") == stash
    assert _git(root, "rev-parse", "HEAD") == head
    assert (root / ".git" / "index").read_bytes() == index
    assert (root / "app" / "views.py").read_text(encoding="utf-8").endswith("# wip\n")


def _library_names(text_json: str) -> set[str]:
    """Every name a product manager should not have to read: sinks, sources, models, taxonomy keys."""
    knowledge = load_knowledge()
    names = {s.id for s in knowledge.sinks} | {m.id for m in knowledge.model_kinds} | {s.id for s in knowledge.schemas}
    for change in json.loads(text_json)["changes"]:
        names |= {change["via"], change["via"].split(".")[0], change["category"], change["destination"]}
    names |= {key for key in knowledge.taxonomy.uses if "." in key}
    return names - {"file", "cache", "cookie", "print"}  # also plain English words


def test_diff_markdown_has_no_library_names_outside_the_evidence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    markdown = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main"]).stdout
    names = _library_names(CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--format", "json"]).stdout)
    assert {"django", "django.request.POST", "segment", "logging", "analytics.reporting"} <= names
    plain, evidence = markdown.split("<details>", 1)

    def found(text: str) -> set[str]:
        return {n for n in names if re.search(rf"(?<![\w.-]){re.escape(n)}(?![\w-])", text)}

    assert found(plain) == set()
    assert {"django.request.POST", "segment", "logging"} <= found(evidence)  # the check does see them


def test_diff_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--format", "json", "-j", "1"])
    _golden("diff.json", result.stdout)
    data = json.loads(result.stdout)
    assert data["schema"] == "minimise-inventory-diff/2" and data["base"] == "main"
    assert data["needs_decision"] is True
    assert [(c["change"], c["action"], c["item"], c["destination"], c["needs_decision"]) for c in data["changes"]] == [
        ("new", "collect", "category:user.demographic.date_of_birth", "django.request.POST", True),
        ("new", "share", "item:customer_email", "mixpanel", True),
        ("new", "share", "item:customer_email", "segment", True),
        ("stopped", "collect", "item:phone", "django.request.POST", False),
        ("stopped", "log", "item:phone", "logging", False),
    ]
    assert [d["kind"] for d in data["decisions"]] == [
        "new_data",
        "not_allowed",
        "new_recipient",
        "new_recipient",
        "inventory_edit",
        "inventory_edit",
    ]
    assert data["changes"][0]["evidence"][0]["at"] == "app/views.py:12"


ALLOW_BASE = """\
version: 1
system: {owner: "@support"}
data:
  - id: phone
    label: Phone number
    category: user.contact.phone_number
    retention: P1Y
    allow: {collect: true}
"""


def _allow_repo(tmp_path: Path) -> Path:
    """A committed app that logs a phone number its inventory does not allow to be logged."""
    root = tmp_path / "allow"
    (root / "app").mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    (root / "app" / "views.py").write_text(BASE_VIEWS, encoding="utf-8")
    (root / "data-inventory.yaml").write_text(
        ALLOW_BASE + "  - id: email\n    category: user.contact.email\n    allow: {collect: true}\n", "utf-8"
    )
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    return root


def test_diff_lists_an_allow_edit_and_check_exits_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _allow_repo(tmp_path)
    inventory = (root / "data-inventory.yaml").read_text(encoding="utf-8")
    edited = inventory.replace(
        "retention: P1Y\n    allow: {collect: true}", "retention: P2Y\n    allow: {collect: true, log: true}"
    )
    (root / "data-inventory.yaml").write_text(edited, encoding="utf-8")
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--check"])
    assert result.exit_code == 1, result.output
    rows = [line for line in result.stdout.splitlines() if re.match(r"\| \d+ \|", line)]
    assert rows == [
        "| 1 | Phone number may now be written to logs | Confirm it is intended, and that the privacy notice and "
        "the contracts cover it | privacy lead and data owner (@support) |",
        "| 2 | Phone number is kept longer: 1 year → 2 years | Confirm it is intended, and that the privacy notice "
        "and the contracts cover it | privacy lead and data owner (@support) |",
    ]
    # The code did not change: the log line is no new use, only the inventory now allows it.
    assert "#### Other changes" not in result.stdout


def test_check_exits_0_when_nothing_needs_a_decision(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _allow_repo(tmp_path)
    views = BASE_VIEWS.replace('    logger.info("calling %s", phone)\n', "")
    (root / "app" / "views.py").write_text(views, encoding="utf-8")  # stops logging the phone number
    inventory = (root / "data-inventory.yaml").read_text(encoding="utf-8")
    (root / "data-inventory.yaml").write_text(inventory.replace("P1Y", "P6M"), encoding="utf-8")  # shorter
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--check"])
    assert result.exit_code == 0, result.output
    assert "no decision needed · 0 new uses · 1 stopped · 1 inventory edit" in result.stdout
    assert "- Phone number: retention changed from 1 year to 6 months" in result.stdout
    json_out = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--check", "--format", "json"])
    assert json_out.exit_code == 0 and json.loads(json_out.stdout)["needs_decision"] is False


def test_declaring_used_data_is_now_declared_not_start_and_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _allow_repo(tmp_path)
    (root / "data-inventory.yaml").write_text("version: 1\ndata: []\n", encoding="utf-8")
    _git(root, "commit", "-q", "-am", "no inventory yet")
    (root / "data-inventory.yaml").write_text(
        ALLOW_BASE.replace("{collect: true}", "{collect: true, store: false}"), "utf-8"
    )
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "HEAD", "--format", "json", "--check"])
    data = json.loads(result.stdout)
    # Decisions first: the item is declared now, but it does not allow the logging the code does.
    assert [(c["change"], c["action"], c["item"], c["was"], c["needs_decision"]) for c in data["changes"]] == [
        ("now_declared", "log", "item:phone", "category:user.contact.phone_number", True),
        ("now_declared", "collect", "item:phone", "category:user.contact.phone_number", False),
    ]
    assert [d["what"] for d in data["decisions"]] == [
        "Phone number is written to application logs, which the data inventory does not allow"
    ]
    assert result.exit_code == 1
    markdown = CliRunner().invoke(cli, ["inventory", "diff", "--base", "HEAD"]).stdout
    assert "| Now declared | Phone number | collected through the web form (sign-up page) |" in markdown
    assert "Stopped" not in markdown and "| New |" not in markdown


def test_diff_with_no_change_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    (root / "app" / "views.py").write_text("\n\n" + FEATURE_VIEWS, encoding="utf-8")  # lines move only
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "feature", "--check"])
    assert result.exit_code == 0
    assert result.stdout == "<!-- minimise-inventory-diff -->\nNo personal-data changes against `feature`.\n"


def test_diff_unknown_revision_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "no-such-branch"])
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.stderr
    bad = CliRunner().invoke(cli, ["inventory", "diff", "--base", "--upload-pack=x"])
    assert bad.exit_code == 2


def test_the_documented_example_diff_is_the_real_output() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "inventory.md").read_text(encoding="utf-8")
    example = docs.split("```markdown\n", 1)[1].split("\n```", 1)[0] + "\n"
    assert example == (FIXTURES / "diff.md").read_text(encoding="utf-8")
