"""Lines and columns as Python's tokenizer counts them; codecs and parser blow-ups caught before parsing."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import assert_clean_stderr
from gitrepo import init_repo

from minimise.engine import EngineOptions, analyse_bytes
from minimise.source import SourceError, count_breaks, decode_source, split_lines, tokenizer_error_line

OPTIONS = EngineOptions(prefilter=False)
KNOWLEDGE = OPTIONS.knowledge()

# Each shape puts something that spans or looks like a line break above `log(user.email)`.
SHAPES = {
    "plain": "x = 1\n",
    "multiline string": 'x = """a\nb\nc"""\n',
    "continuation": "x = 1 + \\\n    2\n",
    "bracket continuation": "x = (1,\n     2)\n",
    "form feed": "\fx = 1\n",
    "vertical tab in comment": "# a\vb\n",
    "u2028 in string": 'x = "a\u2028b"\n',
    "x85 in comment": "# a\x85b\n",
    "file separator in string": 'x = "a\x1cb"\n',
    "paragraph separator in comment": "# a\u2029b\n",
}
HEADER = "import logging\nlog = logging.getLogger(__name__)\n"
BODY = "def f(user):\n    log.info(user.email)\n"


def _source(shape: str, newline: str) -> str:
    text = HEADER + SHAPES[shape] + BODY
    return text.replace("\n", newline)


def _expected_line(shape: str) -> int:
    return 2 + SHAPES[shape].count("\n") + 2


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_data_point_line_and_column(shape: str, newline: str) -> None:
    text = _source(shape, newline)
    result = analyse_bytes(text.encode("utf-8"), "a.py", OPTIONS, KNOWLEDGE, None)
    assert result.error is None
    assert [(p.line, p.column, p.action) for p in result.data_points] == [(_expected_line(shape), 19, "log")]
    carried = [t for t in result.data_points[0].trace if t.startswith("carried by")]
    assert carried == ["carried by `log.info(user.email)` into logging (log)"]


def test_split_lines_matches_the_tokenizer() -> None:
    text = "a\fb\vc\x1cd\x1de\x1ef\x85g\u2028h\u2029i\rj\r\nk\nl"
    assert split_lines(text) == ["a\fb\vc\x1cd\x1de\x1ef\x85g\u2028h\u2029i", "j", "k", "l"]
    assert split_lines("a\n") == ["a"] and split_lines("") == [] and split_lines("\n\n") == ["", ""]
    assert count_breaks("a\r\nb\rc\nd\f") == 3


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_tokenizer_errors_on_their_own_line(newline: str) -> None:
    text = newline.join(["import logging", "x = 1", "\fy = 2", "email = 'unterminated", ""])
    assert tokenizer_error_line(text) == 4
    result = analyse_bytes(text.encode(), "a.py", OPTIONS, KNOWLEDGE, None)
    assert result.error is not None and result.error.line == 4


@pytest.mark.parametrize("codec", ["punycode", "undefined", "idna", "unicode_escape", "raw_unicode_escape"])
def test_codecs_that_are_not_source_encodings(codec: str) -> None:
    raw = f"# coding: {codec}\nx = 1\n".encode()
    with pytest.raises(SourceError) as caught:
        decode_source(raw)
    assert caught.value.line == 1
    result = analyse_bytes(raw, "a.py", OPTIONS, KNOWLEDGE, None)
    assert result.error is not None and result.error.line == 1 and "re-save as UTF-8" in result.error.message


@pytest.mark.parametrize("codec", ["punycode", "undefined", "rot13", "base64"])
def test_codec_cookies_in_scan_explain_and_flake8(tmp_path: Path, codec: str) -> None:
    repo = init_repo(tmp_path / "repo", {"a.py": f"# coding: {codec}\nemail = 1\n", "ok.py": "x = 1\n"})
    env_python = sys.executable
    scan = subprocess.run(
        [env_python, "-m", "minimise", "scan", ".", "--no-cache", "--no-inventory"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # The file names personal data but cannot be decoded: a finding (MIN001), and listed as an error.
    assert scan.returncode == 1, scan.stderr
    assert "a.py:1:1: MIN001 names personal data but was not analysed: " in scan.stdout
    assert "a.py:1: error:" in scan.stdout
    assert_clean_stderr(scan.stderr)
    explain = subprocess.run(
        [env_python, "-m", "minimise", "explain", "a.py:2"], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert explain.returncode == 2 and "Traceback" not in explain.stderr
    if codec in ("rot13", "base64"):
        return  # flake8 itself cannot open such a file (tokenize.open raises), before any plugin runs
    flake8 = subprocess.run(
        [env_python, "-m", "flake8", "--select=MIN", "a.py"], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert "Traceback" not in flake8.stderr + flake8.stdout


def _list_pattern(depth: int) -> str:
    return "[" * depth + "x" + "]" * depth


def _mapping_of_lists(depth: int) -> str:
    pattern = "x"
    for _ in range(depth):
        pattern = "{'k': [" + pattern + "]}"
    return pattern


def _wide_mapping(depth: int, width: int) -> str:
    return "{'k': " * depth + "[" + ", ".join(["x"] * width) + "]" + "}" * depth


HANGS = {
    "list depth 24": _list_pattern(24),
    "list depth 40": _list_pattern(40),
    "mapping of lists depth 8": _mapping_of_lists(8),
    "wide mapping depth 5": _wide_mapping(5, 2000),
    "class depth 30": "C(" * 30 + "x" + ")" * 30,
    "or depth 30": "(" * 30 + "x" + " | y)" * 30,
}


@pytest.mark.parametrize("name", sorted(HANGS))
def test_nested_match_patterns_are_refused_fast(name: str) -> None:
    text = f"import logging\n\n\ndef f(v):\n    match v:\n        case {HANGS[name]}:\n            pass\n"
    started = time.monotonic()
    result = analyse_bytes(text.encode(), "a.py", OPTIONS, KNOWLEDGE, None)
    assert time.monotonic() - started < 1.0
    assert result.error is not None and result.error.line == 6
    assert result.error.message.startswith("match pattern too deeply nested to analyse")


def test_134_byte_file_does_not_hang_a_real_scan(tmp_path: Path) -> None:
    hang = "match x:\n case " + _list_pattern(24) + ":\n  pass\n"
    hang += "#" * (134 - len(hang.encode()) - 1) + "\n"
    assert len(hang.encode()) == 134
    repo = init_repo(tmp_path / "repo", {"hang.py": hang, "email.py": "import logging\nlogging.info(user.email)\n"})
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "minimise", "scan", ".", "--no-cache", "--no-inventory", "--no-prefilter"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert time.monotonic() - started < 20
    assert done.returncode == 1
    assert "hang.py:2: error: match pattern too deeply nested" in done.stdout
    assert "email.py:2:" in done.stdout


@pytest.mark.parametrize(
    "pattern",
    [
        _list_pattern(6),
        _mapping_of_lists(3),
        _wide_mapping(3, 100),
        "{'user': {'email': str(email), 'tags': [*_]}, 'id': int()}",
        "Point(x=0, y=[1, 2, *rest]) | Point(x=1)",
        "'a:b' | '[[[[[[[[[[[['",  # brackets and colons in strings do not count
    ],
)
def test_ordinary_match_patterns_are_analysed(pattern: str) -> None:
    text = (
        "import logging\n\n\ndef f(v, user):\n    match v:\n"
        f"        case {pattern}:\n            logging.info(user.email)\n"
    )
    result = analyse_bytes(text.encode(), "a.py", OPTIONS, KNOWLEDGE, None)
    assert result.error is None
    assert [(p.line, p.action) for p in result.data_points] == [(7, "log")]


@pytest.mark.parametrize(
    "text, line",
    [
        ("if x:\n\ta = 1\n        b = 2\n", 3),  # tabs and spaces mixed: tokenize lets it through
        ("x = 1\ny = f'{'\n", 2),
        ("x = 1\ry = 2\rz = '''abc\remail\r", 3),
        ("x = 1\n\fy = $\n", 2),
    ],
    ids=["tab-mix", "fstring", "cr-triple", "form-feed"],
)
def test_tokenizer_error_lines(text: str, line: int) -> None:
    result = analyse_bytes(text.encode(), "a.py", OPTIONS, KNOWLEDGE, None)
    assert result.error is not None and result.error.line == line, result.error
