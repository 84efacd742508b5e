"""`minimise explain`: a rule's documentation, or why each data point on a line was found."""

from __future__ import annotations

from pathlib import Path

import click

from minimise.cli import fail


def rule_doc(code: str) -> str:
    """The rule page of ``code`` (the same text as docs/rules/<CODE>.md, without the generated note)."""
    from minimise.ruledocs import all_checks, render_rule_page

    checks = all_checks()
    check = checks.get(code.strip().upper())
    if check is None:
        fail(f"unknown rule {code!r} (known: {', '.join(sorted(checks))}; or give PATH:LINE)")
        raise AssertionError  # unreachable: fail() exits
    return render_rule_page(check, generated_comment=False)


def explain_line(path: Path, line: int) -> list[str]:
    """The lines `minimise explain PATH:LINE` prints: one block per data point on the line."""
    from minimise.checks import default_findings
    from minimise.discover import Target
    from minimise.engine import EngineOptions, analyse_file
    from minimise.redact import redact_text

    options = EngineOptions(prefilter=False)
    knowledge = options.knowledge()
    result = analyse_file(Target(path, path.as_posix()), options, knowledge, None)
    if result.error is not None:
        where = f"{result.error.path}:{result.error.line}" if result.error.line else result.error.path
        fail(f"{where}: {result.error.message}")
    points = [p for p in result.data_points if p.line == line]
    if not points:
        return [f"{path.as_posix()}:{line}: no personal data found on this line"]
    findings = default_findings(points, knowledge)
    out: list[str] = []
    for number, p in enumerate(points):
        if number:
            out.append("")
        label = getattr(knowledge, "label_of", knowledge.taxonomy.label)(p.category)
        out.append(f"{p.path}:{p.line}:{p.column}: {p.action} {p.category}")
        out.append(f"  category:   {p.category} ({label}; sensitivity {p.sensitivity})")
        out.append(f"  action:     {p.action}")
        out.append(f"  via:        {p.via} (destination kind: {p.sink_kind or 'declaration'})")
        out.append(f"  protection: {p.protection}")
        out.append(f"  identifier: `{redact_text(p.identifier)}`")
        out.append(f"  scope:      {p.scope}")
        steps = p.trace or ("(no trace recorded)",)
        for step in steps:
            out.append(f"  why:        {redact_text(step)}")
        raised = [f for f in findings if f.column == p.column and f.category == p.category and f.action == p.action]
        for f in raised:
            out.append(f"  finding:    {f.code} {f.name} ({f.severity}); see `minimise explain {f.code}`")
        if not raised:
            out.append("  finding:    none under the default policy")
    return out


@click.command("explain")
@click.argument("what")
def explain_command(what: str) -> None:
    """Explain a rule (MIN301) or the data points on a line (path.py:LINE).

    \b
    Exit codes: 0 explained, 2 unknown rule, missing file, bad line or unparsable file.
    """
    if ":" not in what or what.strip().upper().startswith("MIN"):
        click.echo(rule_doc(what), nl=False)
        return
    path_text, _, line_text = what.rpartition(":")
    if not line_text.isdigit():
        fail(f"expected PATH:LINE with a line number, got {what!r}")
    path = Path(path_text)
    if not path.is_file():
        fail(f"{path}: no such file")
    line = int(line_text)
    try:
        count = len(path.read_bytes().splitlines())
    except OSError as exc:
        fail(f"{path}: cannot read: {exc.strerror or exc}")
        raise AssertionError from None  # unreachable: fail() exits
    if line < 1 or line > max(count, 1):
        fail(f"{path}: line {line} is outside the file (1-{max(count, 1)})")
    for text in explain_line(path, line):
        click.echo(text)
