"""Inline suppressions: ``# minimise: ignore[MIN301] reason`` on a line or the line before."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"#\s*minimise:\s*ignore(?:\[([A-Z0-9, ]*)\])?\s*(.*)$")


def find_suppressions(text: str) -> tuple[tuple[int, tuple[str, ...], str], ...]:
    """Each suppression as (target line, codes, reason); no codes means every code.

    A comment alone on its line applies to the next line; a trailing comment to its own.
    """
    if "minimise:" not in text:
        return ()
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if "minimise:" not in line:
            continue
        match = _PATTERN.search(line)
        if match is None:
            continue
        codes = tuple(c.strip() for c in (match.group(1) or "").split(",") if c.strip())
        target = number + 1 if line.lstrip().startswith("#") else number
        found.append((target, codes, match.group(2).strip()))
    return tuple(found)


def is_suppressed(suppressions: tuple[tuple[int, tuple[str, ...], str], ...], line: int, code: str,
                  statement_start: int | None = None) -> tuple[int, tuple[str, ...], str] | None:
    """The suppression that silences ``code`` on ``line`` (or its statement's first line), if any."""
    for entry in suppressions:
        at, codes, _reason = entry
        if at == line or (statement_start is not None and at == statement_start):
            if not codes or code in codes:
                return entry
    return None
