"""`minimise explain`: a rule's documentation, or why each data point on a line was found."""

from __future__ import annotations

from pathlib import Path

import click

from minimise.cli import fail


def rule_doc(code: str) -> str:
    """The rule page of ``code`` (the same text as docs/rules/<CODE>.md, without the generated note)."""
    from minimise.ruledocs import all_checks, render_rule_page
    from minimise.selection import SESSION_CODES

    wanted = code.strip().upper()
    if wanted in SESSION_CODES:
        name, severity = SESSION_CODES[wanted]
        return (
            f"# {wanted} {name} ({severity})\n\n"
            "A file whose text names personal data could not be parsed or decoded, so nothing in it was\n"
            "checked. The finding carries the parser's line and message. Fix the syntax or the encoding,\n"
            "or exclude the file (`--exclude`) if it is not Python; see docs/errors.md.\n"
        )
    checks = all_checks()
    check = checks.get(wanted)
    if check is None:
        fail(f"unknown rule {code!r} (known: {', '.join(sorted(checks))}; or give PATH:LINE)")
        raise AssertionError  # unreachable: fail() exits
    return render_rule_page(check, generated_comment=False)


def explain_line(path: Path, line: int, config_file: str | None = None, use_inventory: bool = True) -> list[str]:
    """The lines `minimise explain PATH:LINE` prints: one block per data point on the line.

    The verdict comes from the same scan session as `minimise scan PATH` (configuration,
    selection, suppressions and inventory included), so the two never disagree.
    """
    from minimise.config import ConfigError, load_config
    from minimise.redact import redact_text
    from minimise.session import Session, SessionError, SessionOptions

    try:
        config = load_config(path, Path(config_file) if config_file else None)
        config.override("include", [str(path)])
        options = SessionOptions(no_cache=True, no_prefilter=True, use_inventory=use_inventory, use_baseline=False)
        session = Session(config, options)
        outcome = session.run()
    except (ConfigError, SessionError) as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits
    report = outcome.report
    for error in report.errors:
        where = f"{error.path}:{error.line}" if error.line else error.path
        fail(f"{where}: {error.message}")
    unparsed = [f for f in report.findings if f.code == "MIN001"]
    if unparsed:
        fail(f"{path.as_posix()}:{unparsed[0].line}: {unparsed[0].message}")
    shown = path.as_posix()
    points = [p for p in report.data_points if p.line == line]
    if not points:
        return [f"{shown}:{line}: no personal data found on this line"]
    knowledge = session.knowledge
    out: list[str] = []
    for number, p in enumerate(points):
        if number:
            out.append("")
        label = getattr(knowledge, "label_of", knowledge.taxonomy.label)(p.category)
        out.append(f"{shown}:{p.line}:{p.column}: {p.action} {p.category}")
        out.append(f"  category:   {p.category} ({label}; sensitivity {p.sensitivity})")
        out.append(f"  action:     {p.action}")
        out.append(f"  via:        {p.via} (destination kind: {p.sink_kind or 'declaration'})")
        out.append(f"  protection: {p.protection}")
        out.append(f"  identifier: `{redact_text(p.identifier)}`")
        out.append(f"  scope:      {p.scope}")
        steps = p.trace or ("(no trace recorded)",)
        for step in steps:
            out.append(f"  why:        {redact_text(step)}")
        for number_, flow in enumerate(p.steps, start=1):
            out.append(f"  step {number_}:     {flow.path}:{flow.line}: {redact_text(flow.message)}")
        raised = [
            f
            for f in report.findings
            if f.line == p.line and f.column == p.column and f.category == p.category and f.action == p.action
        ]
        for f in raised:
            out.append(f"  finding:    {f.code} {f.name} ({f.severity}); see `minimise explain {f.code}`")
        if not raised:
            policy = "the data inventory" if outcome.inventory_used else "the default policy"
            out.append(f"  finding:    none under {policy} (with this configuration's selection and suppressions)")
    return out


@click.command("explain", short_help="Explain a rule (MIN301) or why a line (path.py:LINE) was reported.")
@click.argument("what")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    help="Configuration file (default: the one `minimise scan` would use for the file).",
)
@click.option("--no-inventory", is_flag=True, help="Apply the default policy, ignoring any data inventory.")
def explain_command(what: str, config_file: str | None, no_inventory: bool) -> None:
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
    for text in explain_line(path, line, config_file, use_inventory=not no_inventory):
        click.echo(text)
