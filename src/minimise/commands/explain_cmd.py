"""`minimise explain`: a rule's documentation, or why each data point on a line was found."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minimise.cli import fail


def rule_doc(code: str) -> str:
    from minimise.knowledge import load_knowledge

    checks = load_knowledge().checks
    check = checks.get(code.upper())
    if check is None:
        fail(f"unknown rule {code!r} (known: {', '.join(sorted(checks))})")
        raise AssertionError
    return (
        f"{check.code} {check.name} ({check.severity})\n\n{check.summary}\n\n"
        f"What it finds\n{check.what}\nWhy it matters\n{check.why}\nExample\n{_indent(check.example)}\n"
        f"How to fix\n{check.fix}\nHow to suppress\n{check.suppress}\n"
    )


def _indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.rstrip().splitlines())


@click.command("explain")
@click.argument("what")
def explain_command(what: str) -> None:
    """Explain a rule (MIN301) or the data points on a line (path.py:LINE)."""
    if ":" not in what or what.upper().startswith("MIN"):
        click.echo(rule_doc(what), nl=False)
        return
    path_text, _, line_text = what.rpartition(":")
    if not line_text.isdigit():
        fail(f"expected PATH:LINE, got {what!r}")
    path = Path(path_text)
    if not path.is_file():
        fail(f"{path}: no such file")
    from minimise.engine import EngineOptions, analyse_file
    from minimise.discover import Target

    options = EngineOptions(prefilter=False)
    result = analyse_file(Target(path, path.as_posix()), options, options.knowledge(), None)
    if result.error is not None:
        fail(f"{result.error.path}:{result.error.line}: {result.error.message}")
    line = int(line_text)
    points = [p for p in result.data_points if p.line == line]
    if not points:
        click.echo(f"{path}:{line}: no personal data found on this line")
        sys.exit(0)
    for p in points:
        click.echo(f"{p.path}:{p.line}:{p.column}: {p.action} {p.category} ({p.sensitivity}) `{p.identifier}`")
        click.echo(f"  via: {p.via} ({p.sink_kind or 'declaration'}); protection: {p.protection}; scope: {p.scope}")
        for step in p.trace:
            click.echo(f"  why: {step}")
