"""`minimise baseline`: record today's findings so that scans report only new ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from minimise.cli import fail
from minimise.commands.scan_cmd import config_options, merged_config, run


@click.group("baseline", short_help="Accept existing findings so that scans report only new ones.")
def baseline_group() -> None:
    """Accept existing findings: `minimise scan --baseline FILE` then reports only new ones."""


@baseline_group.command("create", short_help="Record the current findings in a baseline file.")
@click.argument("paths", nargs=-1, type=click.Path())
@config_options
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    default=None,
    help="Baseline file to write (default: the configured baseline, else .minimise-baseline.json).",
)
@click.option("--force", is_flag=True, help="Replace an existing baseline (annotations of kept entries survive).")
@click.option("--author", default="", help="Recorded on every new entry.")
@click.option("--comment", default="", help="Recorded on every new entry.")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def create_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    config_file: str | None,
    output: str | None,
    force: bool,
    author: str,
    comment: str,
    no_cache: bool,
    debug: bool,
    **values: Any,
) -> None:
    """Record the current findings in PATHS (default: as `minimise scan`) in a baseline file.

    \b
    Entries are matched by fingerprint (code, path, scope, identifier, category), never by
    line, so they survive edits elsewhere in the file. Written atomically; an existing
    file is only replaced with --force. Exit codes: 0 written, 2 usage or configuration error.
    """
    from minimise.baseline import DEFAULT_BASELINE, BaselineError, create, load, save

    config = merged_config(ctx, paths, config_file, values)
    target = Path(output or config["baseline"] or DEFAULT_BASELINE)
    if target.exists() and not force:
        fail(f"{target}: already exists; pass --force to replace it")
    previous = None
    if target.exists():
        try:
            previous = load(target)
        except BaselineError:
            previous = None
    outcome = run(config, no_cache=no_cache, debug=debug, use_baseline=False, show_progress=None)
    baseline = create(outcome.report.findings, previous, author, comment)
    try:
        save(baseline, target, force=force)
    except BaselineError as exc:
        fail(str(exc))
    count = len(baseline.entries)
    click.echo(f"minimise: recorded {count} finding{'s' if count != 1 else ''} in {target}", err=True)
