"""Every report format: registration, the JSON contract's new fields, Markdown rows, the CLI.

SARIF is tested in test_sarif.py, HTML in test_html_report.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_helpers import APP, finding_rows, git_repo, label, rendered, sarif_schema, scan_repo, validate_sarif

from minimise.cli import cli
from minimise.model import Finding, Report, Step
from minimise.report import RENDERERS
from minimise.report.context import BaselineInfo, default_context
from minimise.testcode import is_test_path


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


def test_formats_are_registered() -> None:
    assert {"text", "json", "sarif", "html", "markdown"} <= set(RENDERERS)


@pytest.mark.parametrize(
    ("path", "in_tests"),
    [
        ("tests/test_views.py", True),
        ("app/tests/helpers.py", True),
        ("test/x.py", True),
        ("pkg/test_models.py", True),
        ("pkg/models_test.py", True),
        ("conftest.py", True),
        ("shop/tests.py", True),
        ("hc/test.py", True),
        ("shop/fixtures/users.py", True),
        ("shop/factories.py", True),
        ("shop\\tests\\test_views.py", True),
        ("shop/views.py", False),
        ("shop/testing_utils.py", False),
        ("latest/app.py", False),
        ("contest.py", False),
    ],
)
def test_test_code_is_told_apart(path: str, in_tests: bool) -> None:
    assert is_test_path(path) is in_tests


# --- JSON -----------------------------------------------------------------------------------


def test_json_carries_steps_flags_and_the_scan(tmp_path: Path) -> None:
    steps = (Step("forms.py", 2, "read `email` for carol@example.com"), Step("views.py", 6, "passed to `log.info`"))
    new = Finding(
        code="MIN301",
        name="personal-data-logged",
        severity="warning",
        path="tests/test_views.py",
        line=6,
        column=5,
        category="user.contact.email",
        action="log",
        message="logged `email`",
        fingerprint="1" * 20,
        steps=steps,
    )
    old = Finding(
        code="MIN301",
        name="personal-data-logged",
        severity="warning",
        path="views.py",
        line=9,
        column=5,
        category="user.contact.email",
        action="log",
        message="logged `email`",
        fingerprint="2" * 20,
    )
    report = Report(root=str(tmp_path), findings=[new])
    context = default_context(report, commit="c" * 40, branch="main", baseline=BaselineInfo("base.json", (old,)))
    document = json.loads(rendered(report, "json", context=context))
    assert document["scan"] == {"commit": "c" * 40, "branch": "main", "inventory": None, "baseline": "base.json"}
    (finding,) = document["findings"]
    assert finding["steps"] == [
        {"path": "forms.py", "line": 2, "message": "read `email` for [email]"},
        {"path": "views.py", "line": 6, "message": "passed to `log.info`"},
    ]
    assert (finding["in_tests"], finding["baselined"]) == (True, False)
    (hidden,) = document["baselined_findings"]
    assert (hidden["path"], hidden["in_tests"], hidden["baselined"], hidden["steps"]) == ("views.py", False, True, [])


def test_json_from_the_cli_names_the_commit_and_baseline(app_repo: Path, tmp_path: Path) -> None:
    commit = git_repo(app_repo, branch="trunk")
    base = tmp_path / "base.json"
    runner = CliRunner()
    assert runner.invoke(cli, ["baseline", "create", str(app_repo), "--no-cache", "-o", str(base)]).exit_code == 0
    result = runner.invoke(cli, ["scan", str(app_repo), "--no-cache", "--format", "json", "--baseline", str(base)])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["scan"] == {"commit": commit, "branch": "trunk", "inventory": None, "baseline": str(base)}
    assert document["findings"] == []
    assert [(f["code"], f["line"], f["baselined"]) for f in document["baselined_findings"]] == [
        ("MIN301", 9, True),
        ("MIN402", 11, True),
    ]
    plain = json.loads(runner.invoke(cli, ["scan", str(app_repo), "--no-cache", "--format", "json"]).stdout)
    assert plain["scan"]["baseline"] is None and plain["baselined_findings"] == []
    assert [(f["code"], f["baselined"], f["in_tests"]) for f in plain["findings"]] == [
        ("MIN301", False, False),
        ("MIN402", False, False),
    ]


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_exact_rows(app_repo: Path) -> None:
    text = rendered(scan_repo(app_repo), "markdown")
    assert text.splitlines() == [
        "**minimise**: 2 findings (1 error, 1 warning) in 1 file; 2 data points (0 collect, 0 store, 1 log, 1 share).",
        "",
        "| Code | Severity | Location | Message |",
        "|---|---|---|---|",
        f"| MIN301 | warning | app.py:9:35 | {label('user.contact.email')} (user.contact.email) logged via logging: "
        "\\`email\\` |",
        f"| MIN402 | error | app.py:11:63 | {label('user.contact.phone_number')} (user.contact.phone\\_number) in the "
        "URL of a request via requests: \\`phone\\_number\\` |",
        "",
        "| Category | collect | store | log | share | Findings |",
        "|---|---:|---:|---:|---:|---:|",
        "| user.contact.email | 0 | 0 | 1 | 0 | 1 |",
        "| user.contact.phone\\_number | 0 | 0 | 0 | 1 | 1 |",
    ]


def test_markdown_caps_rows_and_escapes_cells(tmp_path: Path) -> None:
    findings = [
        Finding(
            code="MIN301",
            name="personal-data-logged",
            severity="warning",
            path=f"a|b`{n}.py",
            line=n,
            column=1,
            category="user.contact.email",
            action="log",
            message="x | y `z` <b>bob@example.com</b>",
            fingerprint=str(n) * 20,
        )
        for n in range(1, 4)
    ]
    text = rendered(Report(root=str(tmp_path), findings=findings, files_scanned=3), "markdown", max_rows=2)
    lines = text.splitlines()
    assert lines[4] == "| MIN301 | warning | a\\|b\\`1.py:1:1 | x \\| y \\`z\\` \\<b\\>\\[email\\]\\</b\\> |"
    assert lines[6] == ""
    assert lines[7] == "+1 more finding not shown; see the full report (`minimise scan --format html`)."
    assert sum(1 for line in lines if line.startswith("| MIN301")) == 2


def test_markdown_without_findings(tmp_path: Path) -> None:
    text = rendered(Report(root=str(tmp_path), files_scanned=1), "markdown")
    assert text == (
        "**minimise**: 0 findings in 1 file; 0 data points (0 collect, 0 store, 0 log, 0 share).\n\nNo findings.\n"
    )


# --- CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "html", "markdown"])
def test_scan_cli_writes_each_format(app_repo: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli, ["scan", str(app_repo), "--no-cache", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output  # findings
    text = out.read_text(encoding="utf-8")
    if fmt == "sarif":
        document = json.loads(text)
        validate_sarif(document, sarif_schema())
        assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["MIN301", "MIN402"]
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert [row[0] for row in finding_rows(text)] == ["MIN402", "MIN301"]
        assert "This scan used no data inventory" in text
    else:
        assert text.startswith("**minimise**: 2 findings")
        assert "| MIN402 | error | app.py:11:63 |" in text


def test_scan_cli_rejects_an_unknown_format(app_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", str(app_repo), "--no-cache", "--format", "pdf"])
    assert result.exit_code == 2
