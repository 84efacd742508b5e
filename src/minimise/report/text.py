"""The human text report: flake8-style lines grouped by file, colour only on a terminal."""

from __future__ import annotations

import os
from collections import Counter
from typing import TextIO

from minimise.model import Report
from minimise.redact import redact_text
from minimise.terminal import printable

_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "note": "\033[36m"}
_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def _use_colour(stream: TextIO, colour: bool | None) -> bool:
    if colour is not None:
        return colour
    if os.environ.get("NO_COLOR") or os.environ.get("CI"):
        return False
    return hasattr(stream, "isatty") and stream.isatty()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def render(
    report: Report,
    stream: TextIO,
    colour: bool | None = None,
    show_data_points: bool = False,
    quiet: bool = False,
    **_options: object,
) -> None:
    use = _use_colour(stream, colour)

    def paint(text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if use else text

    current = None
    for finding in report.findings:
        if finding.path != current:
            if current is not None:
                stream.write("\n")
            stream.write(paint(printable(finding.path), _BOLD) + "\n")
            current = finding.path
        code = paint(finding.code, _COLOURS.get(finding.severity, ""))
        where = f"{printable(finding.path)}:{finding.line}:{finding.column}"
        stream.write(f"{where}: {code} {printable(redact_text(finding.message))}\n")
    if show_data_points and report.data_points:
        if report.findings:
            stream.write("\n")
        stream.write(paint("Data points", _BOLD) + "\n")
        for p in report.data_points:
            protection = "" if p.protection == "none" else f" [{p.protection}]"
            stream.write(
                f"{printable(p.path)}:{p.line}:{p.column}: {p.action:<7} {printable(p.category)}{protection} "
                f"`{printable(redact_text(p.identifier))}` via {printable(p.via)}\n"
            )
    if quiet:
        return
    for error in report.errors:
        where = f"{printable(error.path)}:{error.line}" if error.line else printable(error.path)
        stream.write(paint(f"{where}: error: {printable(redact_text(error.message))}", _DIM) + "\n")
    actions = Counter(p.action for p in report.data_points)
    severities = Counter(f.severity for f in report.findings)
    tests = int(getattr(report, "files_treated_as_tests", 0) or 0)
    summary = (
        _count(len(report.findings), "finding")
        + (f" ({', '.join(_count(n, s) for s, n in sorted(severities.items()))})" if severities else "")
        + f" in {_count(report.files_scanned, 'file')}; "
        + f"{_count(len(report.data_points), 'data point')} ("
        + ", ".join(f"{actions.get(a, 0)} {a}" for a in ("collect", "store", "log", "share"))
        + ")"
        + (f"; {_count(len(report.errors), 'file')} not analysed" if report.errors else "")
        + (f"; {_count(tests, 'test file')} left out (--include-tests)" if tests else "")
    )
    if report.findings or report.errors or show_data_points:
        stream.write("\n")
    stream.write(paint(summary, _BOLD) + "\n")
