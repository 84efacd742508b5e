"""docs/rules/ is generated from rules/checks.yaml and must be up to date; `minimise explain` reuses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.knowledge import load_knowledge
from minimise.ruledocs import (
    CWE_TITLES,
    DOC_FIELDS,
    all_checks,
    expected_files,
    missing_fields,
    render_index,
    render_rule_page,
    silencing_notes,
)

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs" / "rules"
GENERATOR = REPO / "scripts" / "generate_rule_docs.py"
FIX = "run `python scripts/generate_rule_docs.py` and commit docs/rules/"


def test_every_check_documents_itself() -> None:
    checks = all_checks()
    assert checks
    problems = {code: missing_fields(check) for code, check in checks.items() if missing_fields(check)}
    assert not problems, f"checks lacking documentation fields {DOC_FIELDS}: {problems}"


def test_rule_docs_are_up_to_date() -> None:
    files = expected_files(all_checks().values())
    stale = [
        name
        for name, content in sorted(files.items())
        if not (DOCS / name).is_file() or (DOCS / name).read_text(encoding="utf-8") != content
    ]
    assert not stale, f"docs/rules/ out of date ({', '.join(stale)}): {FIX}"
    extra = sorted(p.name for p in DOCS.glob("*.md") if p.name not in files)
    assert not extra, f"docs/rules/ holds pages of no check ({', '.join(extra)}): {FIX}"


def test_generator_check_mode_agrees(tmp_path: Path) -> None:
    ok = subprocess.run([sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0, ok.stderr
    out = tmp_path / "rules"
    wrote = subprocess.run(
        [sys.executable, str(GENERATOR), "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert wrote.returncode == 0, wrote.stderr
    (out / "MIN301.md").write_text("stale\n", encoding="utf-8")
    (out / "MIN999.md").write_text("gone\n", encoding="utf-8")
    stale = subprocess.run(
        [sys.executable, str(GENERATOR), "--check", "--out", str(out)], capture_output=True, text=True, check=False
    )
    assert stale.returncode == 1
    assert "MIN301.md" in stale.stderr and "MIN999.md" in stale.stderr


def test_rule_page_sections() -> None:
    check = all_checks()["MIN301"]
    page = render_rule_page(check)
    assert page.startswith("<!-- Generated from the checks' YAML")
    assert "\n# MIN301: personal-data-logged\n" in page
    headings = [line for line in page.splitlines() if line.startswith("## ")]
    assert headings == [
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## Use instead",
        "## How to fix",
        "## How to suppress",
    ]
    assert '```python\nlogger.info("signup from %s", user.email)\n```' in page
    assert "```python\nimport logging\n\nlog = logging.getLogger(__name__)\n" in page
    assert (
        "- **CWE:** [CWE-532](https://cwe.mitre.org/data/definitions/532.html) "
        "Insertion of Sensitive Information into Log File\n" in page
    )
    assert "- **Precision:** high\n" in page
    suppress = page.split("## How to suppress\n", 1)[1]
    assert "`# minimise: ignore[MIN301] <reason>`" in suppress
    assert "- `# noqa: MIN301` at the end of the line: `minimise scan` and the flake8 plugin both read" in suppress
    assert "list it under `non_personal` in data-inventory.yaml with a reason" in suppress
    assert (
        "- **Selection:** Applies to data points with action `log`; destination kind not `exception`, "
        "`console`; protection `none`." in page
    )
    assert page.endswith("\n") and not page.endswith("\n\n")


def test_index_lists_every_check() -> None:
    checks = all_checks()
    index = render_index(checks.values())
    for code, check in checks.items():
        assert f"| [{code}]({code}.md) | `{check.name}` | {check.severity} |" in index


# --- minimise explain -----------------------------------------------------------------------


def test_explain_rule_prints_the_rule_page() -> None:
    result = CliRunner().invoke(cli, ["explain", "min301"])
    assert result.exit_code == 0, result.output
    check = all_checks()["MIN301"]
    assert result.output == render_rule_page(check, generated_comment=False)
    assert "How to suppress" in result.output


@pytest.mark.parametrize("args", [["explain", "MIN999"], ["explain", "nowhere.py:3"], ["explain", "x.py:abc"]])
def test_explain_bad_input_exits_2(args: list[str]) -> None:
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 2
    assert "minimise: error:" in result.output


def label(category: str) -> str:
    knowledge = load_knowledge()
    return str(getattr(knowledge, "label_of", knowledge.taxonomy.label)(category))


LINES = """\
import logging

log = logging.getLogger(__name__)


def signup(user):
    contact = user.email
    log.info("signup %s", contact)
    return user.id
"""


def test_explain_line_shows_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(LINES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", "app.py:8"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "app.py:8:5: log user.contact.email"
    assert lines[1:6] == [
        f"  category:   user.contact.email ({label('user.contact.email')}; sensitivity medium)",
        "  action:     log",
        "  via:        logging (destination kind: log)",
        "  protection: none",
        "  identifier: `email`",
    ]
    why = [line for line in lines if line.startswith("  why:")]
    assert why and all(line.strip() != "why:" for line in why)
    assert any("email" in line for line in why)
    assert lines[-1] == "  finding:    MIN301 personal-data-logged (warning); see `minimise explain MIN301`"


def test_explain_line_without_data_point(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("app.py").write_text(LINES, encoding="utf-8")
    result = CliRunner().invoke(cli, ["explain", "app.py:9"])
    assert result.exit_code == 0
    assert result.output == "app.py:9: no personal data found on this line\n"
    outside = CliRunner().invoke(cli, ["explain", "app.py:99"])
    assert outside.exit_code == 2


# --- the report keys: use instead, CWE, precision, silencing -------------------------------


def test_every_check_has_cwe_precision_and_a_fixed_example() -> None:
    bookkeeping = {"MIN505", "MIN506", "MIN901", "MIN902"}
    for code, check in all_checks().items():
        assert check.precision in ("very-high", "high", "medium", "low"), code
        assert check.use_instead.strip(), code
        assert bool(check.cwe) is (code not in bookkeeping), code
        page = render_rule_page(check)
        assert "## Use instead" in page and "- **CWE:** " in page
    cited = {cwe for check in all_checks().values() for cwe in check.cwe}
    assert cited == {201, 209, 311, 312, 315, 359, 532, 540, 598}
    assert all(cwe in CWE_TITLES for cwe in cited)


def test_silencing_notes_only_where_they_work() -> None:
    checks = all_checks()
    for code in ("MIN505", "MIN506", "MIN901", "MIN902"):  # raised on YAML or on comments: no noqa, no name
        assert silencing_notes(checks[code]) == [], code
    assert len(silencing_notes(checks["MIN201"])) == 2


def _python_fixes() -> list[tuple[str, str]]:
    return [
        (code, c.use_instead)
        for code, c in all_checks().items()
        if not c.use_instead.lstrip().startswith(("#", "-", "data:"))
    ]


@pytest.mark.parametrize(("code", "source"), _python_fixes(), ids=[c for c, _ in _python_fixes()])
def test_use_instead_is_python_that_does_not_raise_its_code(code: str, source: str) -> None:
    import ast

    from minimise.checks import default_findings
    from minimise.engine import analyse_text

    ast.parse(source)
    knowledge = load_knowledge()
    if code not in knowledge.checks or knowledge.checks[code].raised_by:
        return  # inventory and suppression checks are not raised by the default policy
    points = list(analyse_text(source, "fixed.py", knowledge))
    assert [f for f in default_findings(points, knowledge) if f.code == code] == []


def test_use_instead_of_default_checks_is_checked_against_the_policy() -> None:
    knowledge = load_knowledge()
    checked = [code for code, _ in _python_fixes() if code in knowledge.checks and not knowledge.checks[code].raised_by]
    assert checked == ["MIN201", "MIN202", "MIN301", "MIN302", "MIN303", "MIN401", "MIN402", "MIN403", "MIN701"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("    cwe: [abc]", "is not a CWE id"),
        ("    cwe: 532", "expected a list of CWE ids"),
        ("    precision: certain", "expected one of very-high, high, medium, low"),
        ("    silenced_by: [magic]", "expected a list of noqa, non_personal"),
    ],
)
def test_bad_report_keys_are_rejected_with_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    from minimise.knowledge import RuleReader
    from minimise.knowledge.checks import load_checks
    from minimise.taxonomy import load_taxonomy
    from minimise.yamlio import YamlError, read_yaml

    text = (
        "version: 1\nchecks:\n  - code: MIN999\n    name: x\n    severity: note\n    summary: s\n"
        "    message: m\n    what: w\n    why: y\n    example: e\n    fix: f\n    suppress: s\n" + line + "\n"
    )
    path = tmp_path / "checks.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(YamlError) as caught:
        load_checks(RuleReader(path, text), read_yaml(path), load_taxonomy())
    assert message in str(caught.value) and "checks.yaml" in str(caught.value) and ":13" in str(caught.value)
