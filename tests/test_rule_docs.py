"""docs/rules/ is generated from rules/checks.yaml and must be up to date; `minimise explain` reuses it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.knowledge import load_knowledge
from minimise.ruledocs import DOC_FIELDS, all_checks, expected_files, missing_fields, render_index, render_rule_page

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
    assert headings == ["## What it finds", "## Why it matters", "## Example", "## How to fix", "## How to suppress"]
    assert '```python\nlogger.info("signup from %s", user.email)\n```' in page
    assert (
        "- **Selection:** Applies to data points with action `log`; destination kind not `exception`; "
        "protection `none`." in page
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
