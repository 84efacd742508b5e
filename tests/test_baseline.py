"""Baselines: create, match across code motion, report new findings and stale entries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.baseline import SCHEMA, BaselineError, load
from minimise.cli import cli

SIGNUP = 'def signup(user):\n    log.info("signup %s", user.email)\n'
OTHER = "def other(account):\n    total = 1\n    return total\n"
ORDER = 'def order(customer):\n    log.info("order %s", customer.phone_number)\n'
HEAD = "import logging\n\nlog = logging.getLogger(__name__)\n"


def source(*functions: str, head: str = HEAD) -> str:
    return head + "".join("\n\n" + f for f in functions)


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(source(SIGNUP, OTHER, ORDER), encoding="utf-8")
    return tmp_path


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def findings(out: str) -> list[tuple[str, int, str]]:
    return [(f["code"], f["line"], f["path"]) for f in json.loads(out)["findings"]]


def create(*args: str) -> None:
    code, _, err = invoke("baseline", "create", "--no-cache", *args)
    assert code == 0, err


def test_create_records_fingerprints(project: Path) -> None:
    create("--author", "ana", "--comment", "legacy")
    data = json.loads((project / ".minimise-baseline.json").read_text(encoding="utf-8"))
    assert data["schema"] == SCHEMA
    entries = data["findings"]
    assert [(e["code"], e["path"], e["identifier"], e["category"], e["scope"]) for e in entries] == [
        ("MIN301", "app.py", "email", "user.contact.email", "app.signup"),
        ("MIN301", "app.py", "phone_number", "user.contact.phone_number", "app.order"),
    ]
    assert all(e["author"] == "ana" and e["comment"] == "legacy" and len(e["fingerprint"]) == 20 for e in entries)
    assert "false_positive" not in entries[0]
    assert [p.name for p in project.iterdir() if p.name.startswith(".minimise-baseline")] == [".minimise-baseline.json"]


def test_never_overwrites_without_force_and_keeps_annotations(project: Path) -> None:
    create()
    path = project / ".minimise-baseline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["findings"][0].update(comment="reviewed", false_positive=True)
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_text(encoding="utf-8")
    code, _, err = invoke("baseline", "create", "--no-cache")
    assert code == 2 and "already exists; pass --force" in err
    assert path.read_text(encoding="utf-8") == before
    create("--force")
    entries = load(path).entries
    assert [(e.identifier, e.comment, e.false_positive) for e in entries] == [
        ("email", "reviewed", True),
        ("phone_number", "", False),
    ]


@pytest.mark.parametrize(
    "edited",
    [
        # lines inserted above the findings
        source(SIGNUP, OTHER, ORDER, head='"""Docs."""\n\nimport os\nimport sys\n\n' + HEAD),
        # a function moved within the file
        source(ORDER, OTHER, SIGNUP),
        # an unrelated variable renamed elsewhere
        source(SIGNUP, OTHER.replace("total", "amount"), ORDER),
    ],
)
def test_baseline_survives_code_motion(project: Path, edited: str) -> None:
    create()
    (project / "app.py").write_text(edited, encoding="utf-8")
    code, out, err = invoke("scan", "--no-cache", "--format", "json", "--baseline", ".minimise-baseline.json")
    assert (code, findings(out), err) == (0, [], "")
    # Without the baseline both findings are still there, on their new lines.
    code, out, _ = invoke("scan", "--no-cache", "--format", "json")
    assert code == 1 and len(findings(out)) == 2


def test_new_findings_and_stale_entries(project: Path) -> None:
    create("-o", "base.json")
    leak = 'def refund(client):\n    log.info("refund %s", client.iban)\n'
    (project / "app.py").write_text(source(SIGNUP, OTHER, leak), encoding="utf-8")
    code, out, err = invoke("scan", "--no-cache", "--format", "json", "--baseline", "base.json")
    assert code == 1
    assert findings(out) == [("MIN301", 16, "app.py")]
    assert err.splitlines()[0] == (
        "minimise: 1 baseline entry in base.json no longer match "
        "(fixed or changed; re-create the baseline to drop them):"
    )
    assert err.splitlines()[1].startswith("  app.py: MIN301 `phone_number` in app.order [")


def test_baseline_from_configuration_and_no_baseline(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.minimise]\nbaseline = "privacy/baseline.json"\n', encoding="utf-8")
    create()
    assert (project / "privacy" / "baseline.json").is_file()
    code, out, _ = invoke("scan", "--no-cache")
    assert code == 0 and "0 findings" in out
    code, _, _ = invoke("scan", "--no-cache", "--no-baseline")
    assert code == 1


def test_partial_scan_does_not_report_other_files_as_stale(project: Path) -> None:
    (project / "b.py").write_text(source(ORDER), encoding="utf-8")
    create()
    code, _, err = invoke("scan", "--no-cache", "--baseline", ".minimise-baseline.json", "app.py")
    assert (code, err) == (0, "")


def test_bad_baseline_files(project: Path) -> None:
    (project / "x.json").write_text("{", encoding="utf-8")
    code, _, err = invoke("scan", "--baseline", "x.json")
    assert code == 2 and "x.json:1: invalid JSON" in err
    (project / "x.json").write_text('{"schema": "other"}', encoding="utf-8")
    with pytest.raises(BaselineError, match="not a minimise baseline"):
        load(project / "x.json")
    code, _, err = invoke("scan", "--baseline", "missing.json")
    assert code == 2 and "baseline not found" in err
