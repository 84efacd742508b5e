"""`minimise inventory init | generate | diff` end to end, with golden files and a real git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.inventory import parse_inventory

FIXTURES = Path(__file__).parent / "fixtures" / "inventory"
PROJECT = FIXTURES / "project"
UPDATE = os.environ.get("MINIMISE_UPDATE_GOLDEN") == "1"


def _golden(name: str, text: str) -> None:
    path = FIXTURES / name
    if UPDATE:
        path.write_text(text, encoding="utf-8", newline="")
    assert text == path.read_text(encoding="utf-8"), f"{name} changed; rerun with MINIMISE_UPDATE_GOLDEN=1"


def _copy_project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    return root


# ----------------------------------------------------------------------------- init
def test_init_writes_a_starter_that_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _copy_project(tmp_path)
    (root / "data-inventory.yaml").unlink()
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "init", "shop", "--system", "shop"])
    assert result.exit_code == 0, result.output
    text = (root / "data-inventory.yaml").read_text(encoding="utf-8")
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
    assert sorted(inventory.recipients) == ["mixpanel", "segment", "sentry"]
    assert inventory.stores["database"].kind == "database"
    email = inventory.item("contact_email")
    assert email is not None and email.allow == {
        "collect": True,
        "store": ("database",),
        "log": True,
        "share": ("mixpanel", "segment", "sentry"),
    }
    # A starter describes today's code: the scan finds nothing undeclared.
    check = CliRunner().invoke(
        cli, ["inventory", "generate", "shop", "--inventory", "data-inventory.yaml", "--format", "csv"]
    )
    assert check.exit_code == 0
    import csv

    rows = list(csv.DictReader(check.stdout.splitlines()))
    assert len(rows) == 5 and {row["Declared"] for row in rows} == {"yes"}


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
    ("fmt", "golden"), [("yaml", "observed.yaml"), ("csv", "observed.csv"), ("json", "observed.json")]
)
def test_generate_matches_the_golden_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fmt: str, golden: str
) -> None:
    root = _copy_project(tmp_path)
    monkeypatch.chdir(root)
    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(cli, ["inventory", "generate", ".", "--format", fmt, "-o", str(out), "-j", "1"])
    assert result.exit_code == 0, result.output
    _golden(golden, out.read_text(encoding="utf-8"))


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


EXPECTED_ROWS = [
    "| Change | Data | What now happens | Needs a decision |",
    "|---|---|---|---|",
    "| Starts collecting | Date of birth | received through django.request.POST | **Yes**: not in the data inventory: "
    "declare it (purpose, lawful basis, retention) or stop it |",
    "| Starts sharing | Email address | sent to mixpanel | **Yes**: the inventory does not list this destination: "
    "declare it or stop it |",
    "| Starts sharing | Email address | sent to segment (processor, US, analytics.reporting) | **Yes**: new recipient "
    "segment: confirm the contract, the purpose and the privacy notice |",
    "| Stops collecting | Phone number | no longer received through django.request.POST |  |",
    "| Stops logging | Phone number | no longer written to logs (logging) |  |",
]


def test_diff_markdown_rows_and_untouched_worktree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    status, stash = _git(root, "status", "--porcelain"), _git(root, "stash", "list")
    head = _git(root, "rev-parse", "HEAD")
    index = (root / ".git" / "index").read_bytes()
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "-j", "1"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "### Personal data changes against `main`"
    assert lines[2] == "3 new uses · 2 stopped · 3 need a decision · 1 inventory edit"
    table = [line for line in lines if line.startswith("|")]
    assert table == EXPECTED_ROWS
    assert "- customer_email gained purpose analytics.reporting (owner @growth)" in lines
    evidence = result.stdout.split("<details><summary>Evidence</summary>", 1)[1]
    assert "  - `app/views.py:12` `app.views.signup.birth_date` — MIN501" in evidence
    assert "  - `app/views.py:9` `app.views.signup.phone`" in evidence
    assert evidence.rstrip().endswith("</details>")
    assert _git(root, "status", "--porcelain") == status
    assert _git(root, "stash", "list") == stash
    assert _git(root, "rev-parse", "HEAD") == head
    assert (root / ".git" / "index").read_bytes() == index
    assert (root / "app" / "views.py").read_text(encoding="utf-8").endswith("# wip\n")


def test_diff_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["schema"] == "minimise-inventory-diff/1" and data["base"] == "main"
    assert [(c["change"], c["action"], c["item"], c["destination"], c["needs_decision"]) for c in data["changes"]] == [
        ("starts", "collect", "category:user.demographic.date_of_birth", "django.request.POST", True),
        ("starts", "share", "item:customer_email", "mixpanel", True),
        ("starts", "share", "item:customer_email", "segment", True),
        ("stops", "collect", "item:phone", "django.request.POST", False),
        ("stops", "log", "item:phone", "logging", False),
    ]
    assert data["changes"][0]["evidence"][0]["at"] == "app/views.py:12"


def test_diff_with_no_change_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    (root / "app" / "views.py").write_text("\n\n" + FEATURE_VIEWS, encoding="utf-8")  # lines move only
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "feature"])
    assert result.exit_code == 0
    assert result.stdout == "No personal-data changes against `feature`.\n"


def test_diff_unknown_revision_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _repo(tmp_path)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "no-such-branch"])
    assert result.exit_code == 2
    assert "unknown revision 'no-such-branch'" in result.stderr
    bad = CliRunner().invoke(cli, ["inventory", "diff", "--base", "--upload-pack=x"])
    assert bad.exit_code == 2
