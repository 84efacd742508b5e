"""Suppression comments are read on the lines Python counts: CR-only files, form feeds and U+2028 shift nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

HEAD = ["import logging", "log = logging.getLogger(__name__)", "def f(user):"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_trailing_and_own_line_suppressions_in_every_line_ending(tmp_path: Path, cli_scan, newline: str) -> None:
    lines = [
        *HEAD,
        '    text = """a',
        '    b"""',
        "    log.info(user.email)  # minimise: ignore[MIN301] audited",
        "    # minimise: ignore[MIN301] audited",
        "    log.info(user.phone)",
        "    log.info(user.full_name)",
    ]
    (tmp_path / "a.py").write_bytes(newline.join(lines).encode() + newline.encode())
    scan = cli_scan(tmp_path, "--report-unused-suppressions", "--select", "MIN301,MIN902")
    assert scan.codes("a.py") == [("MIN301", 9)]


@pytest.mark.parametrize("odd", ["\f", "\v", "\u2028", "\x85"], ids=["form-feed", "vt", "u2028", "x85"])
def test_odd_characters_above_a_suppression_silence_only_its_line(tmp_path: Path, cli_scan, odd: str) -> None:
    """In strings and comments anywhere; a form feed also where Python allows it, at the start of a line."""
    lines = [
        *HEAD,
        f"    note = 'a{odd}b'  # a{odd}b",
        f"    # {odd}",
        ("\f" if odd == "\f" else "") + "    # minimise: ignore[MIN301] audited",
        "    log.info(user.email)",
        "    log.info(user.phone)",
    ]
    (tmp_path / "a.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    scan = cli_scan(tmp_path, "--report-unused-suppressions", "--select", "MIN301,MIN902")
    assert scan.codes("a.py") == [("MIN301", 8)]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["lf", "crlf", "cr"])
def test_noqa_lines_in_every_line_ending(newline: str) -> None:
    from minimise.suppress import find_noqa

    text = newline.join(["x = 1", 'y = """a', 'b"""  # noqa: MIN301', "z = 2  # noqa", ""])
    assert find_noqa(text) == [(2, ("MIN301",), "noqa"), (3, ("MIN301",), "noqa"), (4, (), "noqa")]
