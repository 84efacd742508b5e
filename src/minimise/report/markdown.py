"""The Markdown summary: for pull-request comments and audit tickets (GitHub-flavoured tables).

Cells are escaped so analysed code cannot break the table, start code spans, emphasis, links or
raw HTML; personal-looking literals in messages are masked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TextIO

from minimise.model import ACTIONS, SEVERITIES, Finding, Report
from minimise.redact import redact_text
from minimise.terminal import printable

DEFAULT_MAX_ROWS = 50
_SPECIAL = set("\\`*_[]<>|~#!")


def escape_cell(text: str) -> str:
    """One table cell: single line, control characters escaped, Markdown punctuation backslash-escaped."""
    flat = printable(" ".join(str(text).split()))
    return "".join("\\" + ch if ch in _SPECIAL else ch for ch in flat)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def summary_line(report: Report) -> str:
    severities = Counter(f.severity for f in report.findings)
    actions = Counter(p.action for p in report.data_points)
    breakdown = ", ".join(_plural(severities[s], s) for s in reversed(SEVERITIES) if severities.get(s))
    line = (
        f"**minimise**: {_plural(len(report.findings), 'finding')}"
        + (f" ({breakdown})" if breakdown else "")
        + f" in {_plural(report.files_scanned, 'file')}; {_plural(len(report.data_points), 'data point')} ("
        + ", ".join(f"{actions.get(a, 0)} {a}" for a in ACTIONS)
        + ")"
    )
    if report.errors:
        line += f"; {_plural(len(report.errors), 'file')} not analysed"
    return line + "."


def render(report: Report, stream: TextIO, max_rows: int = DEFAULT_MAX_ROWS, **_options: object) -> None:
    findings = sorted(report.findings, key=Finding.sort_key)
    out = [summary_line(report), ""]
    if findings:
        out += ["| Code | Severity | Location | Message |", "|---|---|---|---|"]
        shown = findings[: max(0, max_rows)]
        for f in shown:
            location = f"{f.path}:{f.line}:{f.column}"
            out.append(
                f"| {escape_cell(f.code)} | {escape_cell(f.severity)} | {escape_cell(location)} | "
                f"{escape_cell(redact_text(f.message))} |"
            )
        hidden = len(findings) - len(shown)
        if hidden:
            out += [
                "",
                f"+{hidden} more finding{'s' if hidden != 1 else ''} not shown; "
                "see the full report (`minimise scan --format html`).",
            ]
        out.append("")
    else:
        out += ["No findings.", ""]
    categories = sorted({p.category for p in report.data_points} | {f.category for f in findings})
    if categories:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for p in report.data_points:
            counts[p.category][p.action] += 1
        per_category = Counter(f.category for f in findings)
        out += ["| Category | " + " | ".join(ACTIONS) + " | Findings |", "|---|" + "---:|" * (len(ACTIONS) + 1)]
        for category in categories:
            cells = " | ".join(str(counts[category].get(a, 0)) for a in ACTIONS)
            out.append(f"| {escape_cell(category)} | {cells} | {per_category.get(category, 0)} |")
        out.append("")
    if report.errors:
        out.append(
            f"Not analysed: {', '.join(escape_cell(e.path) for e in report.errors[:10])}"
            + (f" and {len(report.errors) - 10} more." if len(report.errors) > 10 else ".")
        )
        out.append("")
    stream.write("\n".join(out).rstrip("\n") + "\n")
