"""`minimise scan`: analyse paths and print a report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minimise.cli import EXIT_FINDINGS, EXIT_OK, fail, resolve_root


@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", default="text", show_default=True, help="Output format: text or json.")
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file (atomically) instead of stdout.")
@click.option("--jobs", "-j", type=int, default=0, help="Worker processes (default: CPU count).")
@click.option("--cache-dir", type=click.Path(), default=None, help="Cache folder (default: .minimise_cache under the root).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--no-prefilter", is_flag=True, help="Parse every file, even those whose text names no personal data.")
@click.option("--data-points", is_flag=True, help="List every data point in the text report, not only findings.")
@click.option("--include-migrations", is_flag=True, help="Also scan migrations/ folders.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links inside the root.")
@click.option("--select", multiple=True, help="Only report these codes or prefixes (repeatable).")
@click.option("--ignore", multiple=True, help="Do not report these codes or prefixes (repeatable).")
@click.option("--rules", "extra_rules", multiple=True, type=click.Path(), help="Extra rule file (YAML) to load.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
def scan_command(paths: tuple[str, ...], fmt: str, output: str | None, jobs: int, cache_dir: str | None,
                 no_cache: bool, no_prefilter: bool, data_points: bool, include_migrations: bool,
                 follow_symlinks: bool, select: tuple[str, ...], ignore: tuple[str, ...],
                 extra_rules: tuple[str, ...], debug: bool) -> None:
    """Scan PATHS (default: the current directory) for personal data.

    \b
    Exit codes: 0 no findings, 1 findings, 2 usage or configuration error.
    Files that cannot be parsed are listed as errors and do not stop the scan.
    """
    from minimise.engine import EngineOptions
    from minimise.knowledge import load_knowledge
    from minimise.report import RENDERERS, render
    from minimise.scan import ScanOptions, scan
    from minimise.yamlio import YamlError

    if fmt not in RENDERERS:
        fail(f"unknown format {fmt!r} (choose from {', '.join(sorted(RENDERERS))})")
    targets, root = resolve_root(paths)
    engine = EngineOptions(extra_rules=tuple(extra_rules), prefilter=not no_prefilter, debug=debug)
    try:
        load_knowledge(engine.extra_rules, engine.non_personal)
    except YamlError as exc:
        fail(str(exc))
    cache = None if no_cache else Path(cache_dir) if cache_dir else root / ".minimise_cache"
    options = ScanOptions(paths=targets, root=root, engine=engine, jobs=jobs, cache_dir=cache,
                          include_migrations=include_migrations, follow_symlinks=follow_symlinks,
                          select=select, ignore=ignore)
    report = scan(options)
    if output:
        import io

        from minimise.engine import atomic_write

        buffer = io.StringIO()
        render(report, fmt, buffer, colour=False, show_data_points=data_points)
        atomic_write(Path(output), buffer.getvalue())
    else:
        render(report, fmt, sys.stdout, show_data_points=data_points)
    sys.exit(EXIT_FINDINGS if report.findings else EXIT_OK)
