"""`minimise report merge`: the one report of a sharded scan, from the shard files of `minimise scan --shard`."""

from __future__ import annotations

from pathlib import Path

import click

from minimise.cli import fail
from minimise.commands.output_options import output_options


@click.group("report", short_help="Make reports from saved scan results (the shards of a sharded scan).")
def report_group() -> None:
    """Make reports from saved scan results."""


@report_group.command("merge", short_help="Merge the shard files of a sharded scan into one report.")
@click.argument("shards", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", default=None, help="Output format: text, json, sarif, html or markdown.")
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file (atomically) instead of stdout.")
@click.option(
    "--fail-on",
    type=click.Choice(["note", "warning", "error"]),
    default=None,
    help="Lowest severity that makes the exit status 1 (default: the scan's).",
)
@click.option("--data-points", is_flag=True, help="List every data point in the text report, not only findings.")
@output_options
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def merge_command(
    shards: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    fail_on: str | None,
    exit_zero: bool,
    data_points: bool,
    quiet: bool,
    color: str,
    show_statistics: bool,
    debug: bool,
) -> None:
    """Link the summaries in SHARDS (every shard K/N of one `minimise scan --shard K/N -o FILE`)
    and print the report the unsharded scan prints.

    \b
    Run it from the folder the shards were scanned from, in a checkout of the same commit: it
    rebuilds the shards' configuration (the same configuration file and command-line options),
    and applies the inventory, baseline, suppressions and selection found there.
    Exit codes: 0 no findings (at or above --fail-on), 1 findings, 2 a shard missing, corrupt,
    or made with another configuration or minimise version, or a usage or configuration error.
    """
    from minimise.commands.delivery import deliver
    from minimise.commands.scan_cmd import config_from, session_for
    from minimise.report import RENDERERS
    from minimise.session import SessionError
    from minimise.shards import ShardError, check_set, merge, read_shard

    try:
        loaded = [read_shard(Path(name)) for name in shards]
        check_set(loaded)
    except ShardError as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits
    settings = loaded[0].settings
    config = config_from(settings.paths, settings.config_file, settings.overrides)
    if fmt is not None:
        config.override("format", fmt)
    if fail_on is not None:
        config.override("fail_on", fail_on)
    if config["format"] not in RENDERERS:
        fail(f"unknown format {config['format']!r} (choose from {', '.join(sorted(RENDERERS))})")
    session, _progress = session_for(
        config,
        no_cache=True,  # every file's result is in the shards
        no_prefilter=settings.no_prefilter,
        follow_symlinks=settings.follow_symlinks,
        use_baseline=settings.use_baseline,
        use_inventory=settings.use_inventory,
        debug=debug,
        show_progress=False,
    )
    try:
        outcome = merge(loaded, session)
    except (ShardError, SessionError) as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits
    deliver(
        outcome,
        config,
        output,
        show_data_points=data_points,
        quiet=quiet,
        color=color,
        show_statistics=show_statistics,
        use_baseline=settings.use_baseline,
        use_inventory=settings.use_inventory,
        exit_zero=exit_zero,
    )
