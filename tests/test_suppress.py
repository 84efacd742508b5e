"""Inline suppressions: placement, statement spans, MIN901 and MIN902."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.model import Finding
from minimise.suppress import find_suppressions, is_suppressed, parse_suppressions, suppression_findings

HEAD = "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"


def _finding(line: int, code: str = "MIN301") -> Finding:
    return Finding(code, "n", "warning", "f.py", line, 1, "c", "log", "m", "fp")


def covered(text: str, code: str = "MIN301") -> list[int]:
    entries = find_suppressions(text)
    return [n for n in range(1, text.count("\n") + 2) if is_suppressed(entries, n, code)]


def test_trailing_comment_covers_its_line() -> None:
    text = "x = 1\nlog.info(user.email)  # minimise: ignore[MIN301] audit trail\ny = 2\n"
    assert covered(text) == [2]
    assert covered(text, "MIN302") == []
    (s,) = parse_suppressions(text)
    assert (s.line, s.column, s.codes, s.reason) == (2, 23, ("MIN301",), "audit trail")


def test_standalone_comment_covers_the_next_line() -> None:
    text = "x = 1\n# minimise: ignore[MIN301] audit trail\nlog.info(user.email)\nlog.info(user.email)\n"
    assert covered(text) == [2, 3]


def test_standalone_comment_covers_a_whole_multiline_statement() -> None:
    text = (
        "# minimise: ignore[MIN301,MIN302] audit\n"
        "log.info(\n"
        "    'signup %s',\n"
        "    user.email,\n"
        ")\n"
        "log.info(user.email)\n"
    )
    assert covered(text) == [1, 2, 3, 4, 5]
    assert covered(text, "MIN302") == [1, 2, 3, 4, 5]
    assert covered(text, "MIN401") == []


def test_trailing_comment_on_first_line_covers_the_statement() -> None:
    text = "log.info(  # minimise: ignore[MIN301] audit\n    'signup %s',\n    user.email)\nlog.info(user.email)\n"
    assert covered(text) == [1, 2, 3]


def test_compound_statement_header_only() -> None:
    text = "# minimise: ignore[MIN301] ok\ndef f(user,\n      email):\n    log.info(email)\n"
    assert covered(text) == [1, 2, 3]


def test_stacked_comments() -> None:
    text = "# minimise: ignore[MIN301] a\n# minimise: ignore[MIN401] b\nsend(user.email)\n"
    assert covered(text, "MIN301") == [1, 2, 3]  # comment lines never carry findings
    assert covered(text, "MIN401") == [2, 3]


def test_no_codes_means_every_code_and_strings_are_not_comments() -> None:
    text = "log.info(user.email)  # minimise: ignore\ns = '# minimise: ignore[MIN301] no'\n"
    assert covered(text, "MIN999") == [1]
    assert len(parse_suppressions(text)) == 1


def test_syntax_errors_fall_back_to_lines() -> None:
    text = "def broken(:\n# minimise: ignore[MIN301] x\nlog.info(user.email,\n"
    assert covered(text) == [2, 3]


def test_min901_and_min902() -> None:
    text = (
        "log.info(user.email)  # minimise: ignore[MIN301] audit trail\n"
        "log.info(user.email)  # minimise: ignore[MIN301]\n"
        "log.info(user.email)  # minimise: ignore\n"
        "x = 1  # minimise: ignore[MIN301] stale\n"
    )
    suppressions = parse_suppressions(text)
    findings = [_finding(1), _finding(2), _finding(3)]
    extra = suppression_findings("f.py", suppressions, findings, require_reason=True, report_unused=True)
    assert [(f.code, f.line, f.column, f.severity) for f in extra] == [
        ("MIN901", 2, 23, "warning"),
        ("MIN901", 3, 23, "warning"),
        ("MIN902", 4, 8, "note"),
    ]
    assert "without a reason" in extra[0].message and "without codes and a reason" in extra[1].message
    assert suppression_findings("f.py", suppressions, findings, False, False) == []


APP = HEAD + (
    "def signup(user):\n"
    "    # minimise: ignore[MIN301] audit trail, kept 30 days\n"
    "    log.info(\n"
    "        'signup %s',\n"
    "        user.email,\n"
    "    )\n"
    "    log.info('a %s', user.email)  # minimise: ignore[MIN301]\n"
    "    log.info('b %s', user.id)  # minimise: ignore[MIN301] not needed\n"
)


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


def _codes(*args: str) -> tuple[int, list[tuple[str, int]]]:
    result = CliRunner().invoke(cli, ["scan", "app.py", "--no-cache", "--format", "json", *args])
    data = json.loads(result.stdout)
    return result.exit_code, [(f["code"], f["line"]) for f in data["findings"]]


def test_scan_honours_multiline_suppression(app: Path) -> None:
    assert _codes() == (0, [])


def test_scan_require_reason_and_unused(app: Path) -> None:
    assert _codes("--require-suppression-reason") == (1, [("MIN901", 12)])
    assert _codes("--report-unused-suppressions") == (1, [("MIN902", 13)])
    (app / "pyproject.toml").write_text(
        "[tool.minimise]\nrequire_suppression_reason = true\nreport_unused_suppressions = true\n", encoding="utf-8"
    )
    assert _codes() == (1, [("MIN901", 12), ("MIN902", 13)])
    assert _codes("--ignore", "MIN902") == (1, [("MIN901", 12)])
    # Selecting other codes does not make the MIN301 suppressions look unused.
    assert _codes("--select", "MIN9") == (1, [("MIN901", 12), ("MIN902", 13)])
