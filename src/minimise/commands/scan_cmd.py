"""`minimise scan`: analyse paths and print a report.

Also home of what `minimise baseline` and `minimise config` share with it: the options that
mirror configuration keys, merging them over the configuration file, and running a scan with
suppression, baseline and diff filtering applied.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from minimise.cli import EXIT_FINDINGS, EXIT_OK, fail, resolve_root

if TYPE_CHECKING:
    from minimise.baseline import Entry
    from minimise.config import Config
    from minimise.model import Finding, Report

# Command-line parameter -> configuration key it overrides.
CONFIG_PARAMS = {
    "inventory": "inventory",
    "exclude": "exclude",
    "rules": "rules",
    "select": "select",
    "ignore": "ignore",
    "fail_on": "fail_on",
    "fmt": "format",
    "jobs": "jobs",
    "cache_dir": "cache_dir",
    "require_suppression_reason": "require_suppression_reason",
    "report_unused_suppressions": "report_unused_suppressions",
    "baseline": "baseline",
    "include_migrations": "include_migrations",
}
PROGRESS_MIN_FILES = 200


def config_options(function: Callable[..., Any]) -> Callable[..., Any]:
    """The options that mirror configuration keys; on the command line they win over the file."""
    options = [
        click.option(
            "--config",
            "config_file",
            type=click.Path(dir_okay=False),
            help="Configuration file (default: nearest minimise.toml, .minimise.toml or "
            "pyproject.toml with [tool.minimise]).",
        ),
        click.option(
            "--format",
            "fmt",
            default="text",
            show_default=True,
            help="Output format: text, json, sarif, html or markdown.",
        ),
        click.option(
            "--fail-on",
            type=click.Choice(["note", "warning", "error"]),
            default="note",
            show_default=True,
            help="Lowest severity that makes the exit status 1.",
        ),
        click.option(
            "--jobs", "-j", type=click.IntRange(min=0), default=0, help="Worker processes (default: CPU count)."
        ),
        click.option(
            "--cache-dir",
            type=click.Path(),
            default=None,
            help="Cache folder (default: minimise/ in the user cache folder, $XDG_CACHE_HOME or ~/.cache).",
        ),
        click.option("--inventory", type=click.Path(), default=None, help="Data inventory file to check against."),
        click.option(
            "--baseline",
            type=click.Path(),
            default=None,
            help="Report only findings not recorded in this baseline file.",
        ),
        click.option(
            "--include-migrations/--no-include-migrations", default=False, help="Also scan migrations/ folders."
        ),
        click.option("--exclude", multiple=True, help="Gitignore-style pattern of paths not to scan (repeatable)."),
        click.option("--select", multiple=True, help="Only report these codes or prefixes (repeatable)."),
        click.option("--ignore", multiple=True, help="Do not report these codes or prefixes (repeatable)."),
        click.option("--rules", multiple=True, type=click.Path(), help="Extra rule file (YAML) to load (repeatable)."),
        click.option(
            "--require-suppression-reason/--no-require-suppression-reason",
            default=False,
            help="Suppressions without codes and a reason are findings (MIN901).",
        ),
        click.option(
            "--report-unused-suppressions/--no-report-unused-suppressions",
            default=False,
            help="Suppressions that silence nothing are findings (MIN902).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def merged_config(
    ctx: click.Context, paths: tuple[str, ...], config_file: str | None, values: dict[str, Any]
) -> Config:
    """The configuration file's settings with the options given on the command line on top."""
    from click.core import ParameterSource

    from minimise.config import ConfigError, load_config

    start = Path(paths[0]) if paths else Path(".")
    try:
        config = load_config(start, Path(config_file) if config_file else None)
    except ConfigError as exc:
        fail(str(exc))
    for param, key in CONFIG_PARAMS.items():
        source = ctx.get_parameter_source(param)
        if source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            value = values[param]
            config.override(key, list(value) if isinstance(value, tuple) else value)
    if paths:
        config.override("include", list(paths))
    return config


# ---------------------------------------------------------------------- progress
class Progress:
    """files done/total, rate and ETA on one stderr line; only for big scans on a terminal."""

    def __init__(self, stream: Any = None, minimum: int = PROGRESS_MIN_FILES) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.minimum = minimum
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if total <= self.minimum:
            return
        now = time.monotonic()
        if done < total and now - self.last < 0.1:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-6)
        rate = done / elapsed
        eta = (total - done) / rate if rate > 0 else 0.0
        percent = 100 * done // total
        self.stream.write(f"\rminimise: {done}/{total} files ({percent}%), {rate:.0f} files/s, ETA {_duration(eta)}  ")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\033[K")
            self.stream.flush()


def _duration(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def progress_wanted(stream: Any = None) -> bool:
    stream = stream if stream is not None else sys.stderr
    if os.environ.get("CI"):
        return False
    return bool(getattr(stream, "isatty", None) and stream.isatty())


# -------------------------------------------------------------------------- run
@dataclass
class Outcome:
    report: Report
    all_findings: list[Finding] = field(default_factory=list)  # before suppressions, select and ignore
    stale: list[Entry] = field(default_factory=list)  # baseline entries that no longer match
    baselined: int = 0
    baselined_findings: list[Finding] = field(default_factory=list)  # the baseline's matches, for reports
    scanned: set[str] = field(default_factory=set)
    inventory_used: bool = False
    partial: bool = False


def run(
    config: Config,
    *,
    no_cache: bool = False,
    no_prefilter: bool = False,
    follow_symlinks: bool = False,
    debug: bool = False,
    diff_ref: str | None = None,
    use_baseline: bool = True,
    show_progress: bool | None = None,
    use_inventory: bool = True,
) -> Outcome:
    """A scan configured by ``config``, with every filter applied; exits 2 on usage errors."""
    from minimise.cache import cache_location
    from minimise.discover import discover
    from minimise.engine import EngineOptions
    from minimise.knowledge import load_knowledge
    from minimise.scan import ScanOptions, filter_findings, scan
    from minimise.yamlio import YamlError

    paths = tuple(config["include"])
    targets, root = resolve_root(paths)
    engine = EngineOptions(extra_rules=tuple(config["rules"]), prefilter=not no_prefilter, debug=debug)
    try:
        knowledge = load_knowledge(engine.extra_rules, engine.non_personal)
    except YamlError as exc:
        fail(str(exc))
    exclude, select, ignore = tuple(config["exclude"]), tuple(config["select"]), tuple(config["ignore"])
    partial = diff_ref is not None or any(t.is_file() for t in targets)

    changed: dict[str, set[int] | None] | None = None
    git_root: Path | None = None
    explicit: list[Path] | None = None
    if diff_ref is not None:
        from minimise.gitdiff import GitError, changed_lines

        try:
            git_root, changed = changed_lines(diff_ref, root)
        except GitError as exc:
            fail(f"--diff {diff_ref}: {exc}")
        assert git_root is not None and changed is not None
        wanted = {(git_root / name).resolve() for name in changed}
        explicit = [
            t.path
            for t in discover(targets, root, config["include_migrations"], follow_symlinks, exclude)
            if t.path.resolve() in wanted
        ]

    policy = _policy(config, knowledge, root, full_scan=not partial, debug=debug, use_inventory=use_inventory)
    inventory_used = getattr(policy, "inventory_used", False)
    captured: list[Finding] = []

    def capturing(points: list[Any]) -> list[Finding]:
        found = policy(points)
        captured.extend(found)
        return found

    cache = None if no_cache else cache_location(root, config["cache_dir"], config.sources["cache_dir"], _notice)
    options = ScanOptions(
        paths=explicit if explicit is not None else targets,
        root=root,
        engine=engine,
        jobs=config["jobs"],
        cache_dir=cache,
        include_migrations=config["include_migrations"],
        follow_symlinks=follow_symlinks,
        exclude=exclude,
        select=select,
        ignore=ignore,
        policy=capturing,
    )
    progress = None
    if show_progress if show_progress is not None else progress_wanted():
        progress = Progress()
    try:
        report = scan(options, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    outcome = Outcome(report, captured, inventory_used=inventory_used, partial=partial)

    need_files = (
        config["require_suppression_reason"]
        or config["report_unused_suppressions"]
        or (use_baseline and config["baseline"] and partial)
    )
    if need_files:
        walked = explicit if explicit is not None else targets
        files = list(discover(walked, root, config["include_migrations"], follow_symlinks, exclude))
        outcome.scanned = {t.display for t in files}
        if config["require_suppression_reason"] or config["report_unused_suppressions"]:
            extra = _suppression_findings(files, captured, config)
            report.findings.extend(filter_findings(extra, {}, select, ignore))

    if use_baseline and config["baseline"]:
        from minimise.baseline import BaselineError, compare, load

        try:
            baseline = load(Path(config["baseline"]))
        except BaselineError as exc:
            fail(str(exc))
        comparison = compare(report.findings, baseline, outcome.scanned if partial else None)
        report.findings = comparison.new
        outcome.stale = comparison.stale
        outcome.baselined = len(comparison.matched)
        outcome.baselined_findings = comparison.matched
    if changed is not None and git_root is not None:
        report.findings = [f for f in report.findings if _on_changed_line(f, root, git_root, changed)]
    report.sort()
    return outcome


def _policy(
    config: Config, knowledge: Any, root: Path, full_scan: bool, debug: bool, use_inventory: bool = True
) -> Callable[[list[Any]], list[Finding]]:

    from minimise.checks import default_findings

    if not use_inventory:
        return lambda points: default_findings(points, knowledge)
    inventory = config["inventory"]
    if not inventory and not any((folder / "data-inventory.yaml").is_file() for folder in (root, Path("."))):
        # Nothing to load: skip importing the inventory package on this hot path (pre-commit).
        return lambda points: default_findings(points, knowledge)
    return _inventory_policy(config, knowledge, root, full_scan, debug, inventory)


def _inventory_policy(
    config: Config, knowledge: Any, root: Path, full_scan: bool, debug: bool, inventory: Any
) -> Callable[[list[Any]], list[Finding]]:
    import importlib.util

    from minimise.checks import default_findings

    if importlib.util.find_spec("minimise.inventory") is None:
        if inventory:
            fail(f"{inventory}: this minimise has no inventory support")
        return lambda points: default_findings(points, knowledge)
    import minimise.inventory as inventory_module

    if not inventory:
        finder = getattr(inventory_module, "find_inventory", None)
        found = finder(root) if finder is not None else None
        if found is None:
            return lambda points: default_findings(points, knowledge)
        inventory = str(found)
    try:
        built = inventory_module.build_policy(Path(inventory), knowledge, full_scan, root)

        def with_inventory(points: list[Any]) -> list[Finding]:
            return built(points)  # type: ignore[no-any-return]

        with_inventory.inventory_used = True  # type: ignore[attr-defined]
        return with_inventory
    except Exception as exc:  # noqa: BLE001 - the inventory's own errors name file and line
        if debug:
            raise
        fail(str(exc))
        raise  # pragma: no cover - fail() exits


def _notice(message: str) -> None:
    click.echo(f"minimise: {message}", err=True)


def _suppression_findings(files: list[Any], captured: list[Finding], config: Config) -> list[Finding]:
    from minimise.source import MAX_SOURCE_BYTES, SourceError, decode_source
    from minimise.suppress import parse_suppressions, suppression_findings

    by_path: dict[str, list[Finding]] = {}
    for finding in captured:
        by_path.setdefault(finding.path, []).append(finding)
    found: list[Finding] = []
    for target in files:
        try:
            if target.path.stat().st_size > MAX_SOURCE_BYTES:
                continue
            raw = target.path.read_bytes()
        except OSError:
            continue
        if b"minimise:" not in raw:
            continue
        try:
            text = decode_source(raw)
        except SourceError:
            continue
        found.extend(
            suppression_findings(
                target.display,
                parse_suppressions(text),
                by_path.get(target.display, ()),
                config["require_suppression_reason"],
                config["report_unused_suppressions"],
            )
        )
    return found


def _on_changed_line(finding: Finding, root: Path, git_root: Path, changed: dict[str, set[int] | None]) -> bool:
    try:
        rel = (root / finding.path).resolve().relative_to(git_root.resolve()).as_posix()
    except ValueError:
        return False
    if rel not in changed:
        return False
    lines = changed[rel]
    return lines is None or finding.line in lines


def exit_status(report: Report, fail_on: str) -> int:
    from minimise.config import severity_at_least

    return EXIT_FINDINGS if any(severity_at_least(f.severity, fail_on) for f in report.findings) else EXIT_OK


def print_stale(stale: list[Entry], baseline: str) -> None:
    if not stale:
        return
    click.echo(
        f"minimise: {len(stale)} baseline entr{'y' if len(stale) == 1 else 'ies'} in {baseline} no longer "
        "match (fixed or changed; re-create the baseline to drop them):",
        err=True,
    )
    for entry in stale:
        what = f" `{entry.identifier}`" if entry.identifier else ""
        click.echo(f"  {entry.path}: {entry.code}{what} in {entry.scope or '<module>'} [{entry.fingerprint}]", err=True)


# ------------------------------------------------------------------------- command
@click.command("scan")
@click.argument("paths", nargs=-1, type=click.Path())
@config_options
@click.option("-o", "--output", type=click.Path(), help="Write the report to this file (atomically) instead of stdout.")
@click.option(
    "--diff",
    "diff_ref",
    metavar="REF",
    default=None,
    help="Report only findings on lines changed since the git revision REF (and in untracked files).",
)
@click.option("--no-baseline", is_flag=True, help="Ignore the configured baseline.")
@click.option(
    "--no-inventory",
    is_flag=True,
    help="Ignore any data inventory and apply the default policy (log, share, unencrypted storage).",
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the result cache.")
@click.option("--no-prefilter", is_flag=True, help="Parse every file, even those whose text names no personal data.")
@click.option("--data-points", is_flag=True, help="List every data point in the text report, not only findings.")
@click.option("--follow-symlinks", is_flag=True, help="Follow symbolic links inside the root.")
@click.option(
    "--progress/--no-progress",
    "show_progress",
    default=None,
    help="Progress bar on stderr (default: on a terminal, outside CI, for more than 200 files).",
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@click.pass_context
def scan_command(
    ctx: click.Context,
    paths: tuple[str, ...],
    config_file: str | None,
    output: str | None,
    diff_ref: str | None,
    no_baseline: bool,
    no_inventory: bool,
    no_cache: bool,
    no_prefilter: bool,
    data_points: bool,
    follow_symlinks: bool,
    show_progress: bool | None,
    debug: bool,
    **values: Any,
) -> None:
    """Scan PATHS (default: the current directory, or `include` from the configuration) for personal data.

    \b
    Settings come from [tool.minimise] in pyproject.toml, or minimise.toml; options given
    here override them (`minimise config` shows the result).
    Exit codes: 0 no findings (at or above --fail-on), 1 findings, 2 usage or configuration error.
    Files that cannot be parsed are listed as errors and do not stop the scan.
    """
    from minimise.report import RENDERERS, render

    config = merged_config(ctx, paths, config_file, values)
    fmt = config["format"]
    if fmt not in RENDERERS:
        fail(f"unknown format {fmt!r} (choose from {', '.join(sorted(RENDERERS))})")
    outcome = run(
        config,
        no_cache=no_cache,
        no_prefilter=no_prefilter,
        follow_symlinks=follow_symlinks,
        debug=debug,
        diff_ref=diff_ref,
        use_baseline=not no_baseline,
        show_progress=show_progress,
        use_inventory=not no_inventory,
    )
    report = outcome.report
    from minimise.report.context import scan_context

    context = scan_context(report, config, outcome, fmt, baseline_used=not no_baseline)
    if output:
        import io

        from minimise.atomic import write_output

        buffer = io.StringIO()
        render(report, fmt, buffer, colour=False, show_data_points=data_points, context=context)
        try:
            write_output(Path(output), buffer.getvalue())
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        render(report, fmt, sys.stdout, show_data_points=data_points, context=context)
        sys.stdout.flush()
    if config["baseline"] and not no_baseline:
        print_stale(outcome.stale, config["baseline"])
    if fmt == "text" and not outcome.inventory_used and not no_inventory and not outcome.partial:
        click.echo(
            "minimise: no data inventory (data-inventory.yaml), so findings follow the default policy; "
            "start one with `minimise inventory init`.",
            err=True,
        )
    sys.exit(exit_status(report, config["fail_on"]))
