"""Inline suppressions: ``# minimise: ignore[MIN301] reason`` on a line or the line before, and flake8's ``# noqa``.

A comment alone on its line applies to the next code line (stacked suppression comments
are skipped over), a trailing comment to its own line. Either way, when that line starts a
statement spanning several lines, every line of the statement is covered: analysis reports
the line of the offending expression, which may be anywhere inside the statement. For a
compound statement (``def``, ``with``, ``if``...) only its header is covered, never its body.

``# noqa`` and ``# noqa: MIN301,MIN4`` are read exactly as flake8 reads them, so a line
silenced in the editor is silenced in `minimise scan` too: the comment covers its own line
(and every line of a token spanning lines, such as a triple-quoted string, that ends on it,
but not the other lines of a bracketed statement), codes are matched as prefixes and
case-sensitively, a blanket ``# noqa`` silences every code, and a line that is
only ``# flake8: noqa`` silences the whole file.

Statement spans come from the stdlib ``ast`` and are computed only for files that contain a
suppression comment. Suppressions also produce findings of their own, created here in code
(documented in docs/workflow.md, not in rules/checks.yaml):

* MIN901 suppression-without-reason: the comment names no code or gives no reason
  (reported when ``require_suppression_reason`` is set);
* MIN902 unused-suppression: the comment silenced nothing (``report_unused_suppressions``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from minimise.model import Finding
from minimise.source import readline_of, split_lines, split_lines_keepends

_PATTERN = re.compile(r"#\s*minimise:\s*ignore(?:\[([A-Za-z0-9, ]*)\])?\s*:?\s*(.*)$")
# flake8's own expressions (flake8.defaults), so both tools agree on every comment.
_NOQA = re.compile(r"# noqa(?::[\s]?(?P<codes>([A-Z]+[0-9]+(?:[,\s]+)?)+))?", re.IGNORECASE)
_NOQA_FILE = re.compile(r"\s*# flake8[:=]\s*noqa", re.I)
NOQA_REASON = "noqa"
WHOLE_FILE = 0  # the line of an entry that covers every line

# (line covered, codes or prefixes (empty: every code), reason).
Entry = tuple[int, tuple[str, ...], str]

WORKFLOW_CHECKS = {
    "MIN901": ("suppression-without-reason", "warning"),
    "MIN902": ("unused-suppression", "note"),
}


@dataclass(frozen=True)
class Suppression:
    """One suppression comment and the lines it covers."""

    line: int  # where the comment is
    column: int  # 1-based column of the comment's ``#``
    codes: tuple[str, ...]  # empty: every code
    reason: str
    first: int  # first and last line covered (inclusive)
    last: int

    def covers(self, line: int, code: str) -> bool:
        return self.first <= line <= self.last and (not self.codes or code.startswith(self.codes))


def _comments(text: str) -> list[tuple[int, int, str, bool]]:
    """(line, 1-based column, comment text, alone on its line) of each comment naming minimise."""
    import tokenize

    found = []
    try:
        for token in tokenize.generate_tokens(readline_of(text)):
            if token.type == tokenize.COMMENT and "minimise:" in token.string:
                alone = not token.line[: token.start[1]].strip()
                found.append((token.start[0], token.start[1] + 1, token.string, alone))
    except (tokenize.TokenError, SyntaxError, ValueError):
        # Unfinished code: fall back to a plain line scan.
        found = []
        for number, line in enumerate(split_lines(text), start=1):
            at = line.find("#")
            if at >= 0 and "minimise:" in line[at:]:
                found.append((number, at + 1, line[at:], not line[:at].strip()))
    return found


def parse_suppressions(text: str) -> list[Suppression]:
    """Every suppression comment in ``text`` with the lines it covers."""
    if "minimise:" not in text:
        return []
    raw: list[tuple[int, int, tuple[str, ...], str, bool]] = []
    for number, column, comment, standalone in _comments(text):
        match = _PATTERN.search(comment)
        if match is None:
            continue
        codes = tuple(c.strip().upper() for c in (match.group(1) or "").split(",") if c.strip())
        raw.append((number, column + match.start(), codes, match.group(2).strip(), standalone))
    if not raw:
        return []
    lines = split_lines(text)
    spans = _statement_spans(text)
    found = []
    for number, column, codes, reason, standalone in raw:
        target = number
        if standalone:
            target = number + 1
            # Stacked comments: `# minimise: ignore[A] x` above `# minimise: ignore[B] y` above code.
            while target <= len(lines) and lines[target - 1].lstrip().startswith("#"):
                target += 1
        start, end = spans.get(target, (target, target))
        found.append(Suppression(number, column, codes, reason, min(number, start), max(target, end)))
    return found


def _statement_spans(text: str) -> dict[int, tuple[int, int]]:
    """line -> (first, last) line of the innermost statement (or compound header) on that line."""
    import ast

    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    spans: dict[int, tuple[int, int]] = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.stmt):
            continue
        first = node.lineno
        last = node.end_lineno or first
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
            # Compound statement: cover its header only (decorators excluded, they come before).
            last = max(first, body[0].lineno - 1)
            if body[0].lineno == first:  # `if x: call(email)` on one line
                last = first
        for line in range(first, last + 1):
            known = spans.get(line)
            # Innermost wins: ast.walk is breadth-first, so later nodes are nested deeper.
            if known is None or (known[1] - known[0]) >= (last - first):
                spans[line] = (first, last)
    return spans


def find_suppressions(text: str) -> tuple[Entry, ...]:
    """Each covered line as (line, codes, reason); no codes means every code; line 0 the whole file.

    This flat form is what the engine caches and ``scan`` checks findings against.
    """
    entries: list[Entry] = []
    for s in parse_suppressions(text):
        for line in range(s.first, s.last + 1):
            entries.append((line, s.codes, s.reason))
    entries.extend(find_noqa(text))
    return tuple(entries)


def find_noqa(text: str) -> list[Entry]:
    """The lines flake8 would silence with ``# noqa`` comments, as entries."""
    if "noqa" not in text.lower():
        return []
    lines = split_lines_keepends(text)
    if any(_NOQA_FILE.match(line) for line in lines):
        return [(WHOLE_FILE, (), NOQA_REASON)]
    marked = {n for n, line in enumerate(lines, 1) if _NOQA.search(line)}
    if not marked:
        return []
    entries: list[Entry] = []
    for first, last in _logical_lines(text, len(lines), max(marked)):
        if first not in marked and last not in marked and marked.isdisjoint(range(first + 1, last)):
            continue
        match = _NOQA.search("".join(lines[first - 1 : last]))
        if match is None:
            continue
        codes = match.group("codes")
        parsed = tuple(c for c in re.split(r"[,\s]+", codes) if c) if codes else ()
        entries.extend((line, parsed, NOQA_REASON) for line in range(first, last + 1))
    return entries


def _logical_lines(text: str, count: int, last_wanted: int) -> list[tuple[int, int]]:
    """(first, last) lines between line breaks, as flake8's processor groups them for ``noqa``, up to
    the group holding line ``last_wanted``.

    A break inside brackets ends a group too (tokenize emits NL there), so only tokens that
    themselves span lines (triple-quoted strings, backslash continuations) join lines. A ``# noqa``
    comment is matched on a whole group, so only groups with a marked line are wanted: tokenizing
    stops after the last one.
    """
    import tokenize

    ranges: list[tuple[int, int]] = []
    low, high = count + 2, -1
    try:
        for token in tokenize.generate_tokens(readline_of(text)):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            low, high = min(low, token.start[0]), max(high, token.end[0])
            if token.type in (tokenize.NL, tokenize.NEWLINE):
                ranges.append((low, high))
                if high >= last_wanted:
                    return ranges
                low, high = count + 2, -1
    except (tokenize.TokenError, SyntaxError, ValueError):
        # flake8 then falls back to each physical line on its own.
        return [(n, n) for n in range(1, count + 1)]
    if high >= low:  # a last line without a newline
        ranges.append((low, high))
    return ranges


def is_suppressed(
    suppressions: tuple[Entry, ...], line: int, code: str, statement_start: int | None = None
) -> Entry | None:
    """The suppression that silences ``code`` on ``line`` (or its statement's first line), if any."""
    for entry in suppressions:
        at, codes, _reason = entry
        if at == line or at == WHOLE_FILE or (statement_start is not None and at == statement_start):
            if not codes or code.startswith(codes):
                return entry
    return None


def _fingerprint(code: str, path: str, suppression: Suppression, occurrence: int) -> str:
    text = "\0".join((code, path, ",".join(suppression.codes), suppression.reason, str(occurrence)))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _finding(code: str, path: str, s: Suppression, message: str, seen: dict[str, int]) -> Finding:
    name, severity = WORKFLOW_CHECKS[code]
    base = _fingerprint(code, path, s, 0)
    occurrence = seen.get(base, 0)
    seen[base] = occurrence + 1
    return Finding(
        code=code,
        name=name,
        severity=severity,
        path=path,
        line=s.line,
        column=s.column,
        category="",
        action="",
        message=message,
        fingerprint=_fingerprint(code, path, s, occurrence),
        identifier=",".join(s.codes),
    )


def suppression_findings(
    path: str,
    suppressions: Iterable[Suppression],
    findings: Iterable[Finding],
    require_reason: bool,
    report_unused: bool,
) -> list[Finding]:
    """MIN901/MIN902 findings for one file, given every finding raised in it before suppression."""
    suppressions = list(suppressions)
    if not suppressions or not (require_reason or report_unused):
        return []
    found: list[Finding] = []
    seen: dict[str, int] = {}
    used: set[int] = set()
    if report_unused:
        for finding in findings:
            for index, s in enumerate(suppressions):
                if s.covers(finding.line, finding.code):
                    used.add(index)
    for index, s in enumerate(suppressions):
        if require_reason and (not s.codes or not s.reason):
            missing = " and ".join(x for x, bad in (("codes", not s.codes), ("a reason", not s.reason)) if bad)
            found.append(
                _finding(
                    "MIN901",
                    path,
                    s,
                    f"suppression without {missing}: write `# minimise: ignore[MINxxx] why this is acceptable`",
                    seen,
                )
            )
        if report_unused and index not in used:
            what = ", ".join(s.codes) if s.codes else "any finding"
            found.append(_finding("MIN902", path, s, f"unused suppression: no {what} here to silence; remove it", seen))
    return found
