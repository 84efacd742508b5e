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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from minimise.cli import EXIT_OK, fail
from minimise.commands.output_options import output_options

if TYPE_CHECKING:
    from minimise.config import Config
    from minimise.session import Outcome, Session
    from minimise.tree_memo import Discovered

# Command-line parameter -> configuration key it overrides.
CONFIG_PARAMS = {
    "inventory": "inventory",
    "exclude": "exclude",
    "rules": "rules",
    "select": "select",
    "extend_select": "extend_select",
    "ignore": "ignore",
    "fail_on": "fail_on",
    "fmt": "format",
    "jobs": "jobs",
    "file_time_limit": "file_time_limit",
    "file_size_limit": "file_size_limit",
    "cache_dir": "cache_dir",
    "require_suppression_reason": "require_suppression_reason",
    "report_unused_suppressions": "report_unused_suppressions",
    "baseline": "baseline",
    "include_migrations": "include_migrations",
    "include_tests": "include_tests",
    "docs_url": "docs_url",
}
PROGRESS_MIN_FILES = 200


def _url_option(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is not None and not value.startswith(("https://", "http://")):
        raise click.BadParameter(f"expected an http:// or https:// URL, got {value!r}")
    return value


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
            "--file-time-limit",
            type=click.IntRange(min=0),
            default=20,
            metavar="SECONDS",
            help="A file taking longer to analyse is reported as MIN001 and the scan goes on (0: no limit).",
        ),
        click.option(
            "--file-size-limit",
            type=click.IntRange(min=1),
            default=2,
            metavar="MIB",
            help="A bigger file is reported as MIN001 instead of analysed.",
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
        click.option(
            "--include-tests/--no-include-tests",
            default=False,
            help="Also analyse test code found in folders (tests/, test_*.py, conftest.py, fixtures).",
        ),
        click.option(
            "--select",
            multiple=True,
            help="Only report these codes or prefixes: MIN301,MIN4 or ALL (comma list, repeatable).",
        ),
        click.option(
            "--extend-select", multiple=True, help="Report these codes or prefixes too (comma list, repeatable)."
        ),
        click.option("--ignore", multiple=True, help="Do not report these codes or prefixes (comma list, repeatable)."),
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
        click.option(
            "--docs-url",
            default=None,
            metavar="URL",
            callback=_url_option,
            help="Where your team publishes the rule pages ({code} for the code); reports link there.",
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

    overrides: dict[str, Any] = {}
    for param, key in CONFIG_PARAMS.items():
        source = ctx.get_parameter_source(param)
        if source in (ParameterSource.COMMANDLINE, ParameterSource.ENVIRONMENT):
            value = values[param]
            overrides[key] = list(value) if isinstance(value, tuple) else value
    return config_from(paths, config_file, overrides)


def config_from(paths: tuple[str, ...], config_file: str | None, overrides: dict[str, Any]) -> Config:
    """The configuration file found from ``paths`` (or ``config_file``) with ``overrides`` on top.

    `minimise report merge` rebuilds a sharded scan's configuration with it from what the shards recorded.
    """
    from minimise.config import ConfigError, load_config

    start = Path(paths[0]) if paths else Path(".")
    try:
        config = load_config(start, Path(config_file) if config_file else None)
    except ConfigError as exc:
        fail(str(exc))
    for key, value in overrides.items():
        config.override(key, value)
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
def session_for(
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
    paths: list[Path] | None = None,
    discovered: Discovered | None = None,
) -> tuple[Session, Progress | None]:
    """A scan session for ``config``; a usage or configuration problem exits 2 with one line."""
    from minimise.session import Session, SessionError, SessionOptions

    progress = Progress() if (show_progress if show_progress is not None else progress_wanted()) else None
    options = SessionOptions(
        no_cache=no_cache,
        no_prefilter=no_prefilter,
        follow_symlinks=follow_symlinks,
        debug=debug,
        diff_ref=diff_ref,
        use_baseline=use_baseline,
        use_inventory=use_inventory,
        progress=progress,
        notice=lambda message: click.echo(f"minimise: {message}", err=True),
        discovered=discovered,
    )
    try:
        return Session(config, options, paths), progress
    except SessionError as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits


def run(config: Config, **switches: Any) -> Outcome:
    """A scan configured by ``config``, with every filter applied; exits 2 on usage errors."""
    from minimise.session import SessionError

    session, progress = session_for(config, **switches)
    try:
        return session.run()
    except SessionError as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits
    finally:
        if progress is not None:
            progress.close()


def _stdin_outcome(session: Session, stdin_filename: str | None) -> Outcome:
    """`minimise scan -`: the text on stdin, checked as if it were the file ``--stdin-filename``."""
    from minimise.model import Report
    from minimise.session import Outcome

    raw = sys.stdin.buffer.read()
    display = Path(os.path.normpath(stdin_filename)).as_posix() if stdin_filename else "stdin.py"
    result, findings = session.check_file(display, raw)
    report = Report(root=str(session.project_root), files_scanned=1)
    report.data_points = [session.rebase_point(p) for p in result.data_points]
    report.findings = findings
    if result.error is not None and not any(f.code == "MIN001" for f in findings):
        from dataclasses import replace

        report.errors = [replace(result.error, path=session.relative(result.error.path))]
    report.files_treated_as_tests = 0  # type: ignore[attr-defined]
    return Outcome(report, findings, partial=True, project_root=session.project_root)


@click.command(
    "scan",
    short_help="Scan Python files for personal data collected, stored, logged and shared.",
)
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
@output_options
@click.option(
    "--stdin-filename",
    default=None,
    metavar="PATH",
    help="With `-` as the path: the file name the text on stdin is checked as.",
)
@click.option(
    "--progress/--no-progress",
    "show_progress",
    default=None,
    help="Progress bar on stderr (default: on a terminal, outside CI, for more than 200 files).",
)
@click.option(
    "--shard",
    metavar="K/N",
    default=None,
    callback=lambda _ctx, _param, value: _shard_spec(value),
    help="Analyse only shard K of N (a stable share of the files, by path) and write it to -o FILE; "
    "`minimise report merge` makes the report of all N.",
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
    exit_zero: bool,
    quiet: bool,
    color: str,
    show_statistics: bool,
    stdin_filename: str | None,
    show_progress: bool | None,
    shard: tuple[int, int] | None,
    debug: bool,
    **values: Any,
) -> None:
    """Scan PATHS (default: the current directory, or `include` from the configuration) for personal data.

    \b
    Settings come from [tool.minimise] in pyproject.toml, or minimise.toml; options given
    here override them (`minimise config` shows the result). `--` ends the options: every
    word after it is a path. `-` reads one file from stdin (name it with --stdin-filename).
    Exit codes: 0 no findings (at or above --fail-on), 1 findings, 2 usage or configuration error.
    A file that names personal data but cannot be parsed is a finding (MIN001).
    With --shard K/N the shard file is written and the exit code is 0: findings come from the merge.
    """
    from minimise.report import RENDERERS

    from_stdin = paths == ("-",)
    if "-" in paths and not from_stdin:
        fail("`-` (stdin) cannot be combined with other paths")
    if stdin_filename and not from_stdin:
        fail("--stdin-filename needs `-` as the path")
    config_start: tuple[str, ...] = (stdin_filename or ".",) if from_stdin else paths
    config = merged_config(ctx, config_start, config_file, values)
    if from_stdin:
        config.override("include", ["."])
    switches: dict[str, Any] = {
        "no_cache": no_cache,
        "no_prefilter": no_prefilter,
        "follow_symlinks": follow_symlinks,
        "debug": debug,
        "diff_ref": diff_ref,
        "use_baseline": not no_baseline,
        "show_progress": show_progress,
        "use_inventory": not no_inventory,
    }
    if shard is not None:
        if from_stdin or diff_ref is not None:
            fail(f"--shard cannot be combined with {'`-`' if from_stdin else '--diff'}: shards cover the whole project")
        if not output:
            fail("--shard needs -o FILE: the shard file that `minimise report merge` reads")
        _write_shard(config, shard, paths, config_file, switches, str(output), quiet)
    fmt = config["format"]
    if fmt not in RENDERERS:
        fail(f"unknown format {fmt!r} (choose from {', '.join(sorted(RENDERERS))})")
    how: dict[str, Any] = {
        "show_data_points": data_points,
        "quiet": quiet,
        "color": color,
        "show_statistics": show_statistics,
        "use_baseline": not no_baseline,
        "use_inventory": not no_inventory,
        "exit_zero": exit_zero,
    }
    from minimise.commands.delivery import deliver, delivery_of

    if from_stdin:
        from minimise.session import SessionError

        session, _progress = session_for(config, **switches)
        try:
            outcome = _stdin_outcome(session, stdin_filename)
        except SessionError as exc:
            fail(str(exc))
            raise AssertionError from None  # unreachable: fail() exits
        deliver(outcome, config, output, **how)
    from minimise.commands.warm import keep, memo_for, replayed

    found = memo_for(config, switches, [output, *how.items()])
    if found is not None:
        delivery = replayed(found[0])
        if delivery is not None:
            delivery.emit()
        switches["discovered"] = found[1]
    outcome = run(config, **switches)
    delivery = delivery_of(outcome, config, output, **how)
    if found is not None:
        keep(found[0], outcome, delivery)
    delivery.emit()


def _shard_spec(value: str | None) -> tuple[int, int] | None:
    if value is None:
        return None  # the usual scan: the shard code is not even imported
    from minimise.shards import parse_spec

    try:
        return parse_spec(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _write_shard(
    config: Config,
    shard: tuple[int, int],
    paths: tuple[str, ...],
    config_file: str | None,
    switches: dict[str, Any],
    output: str,
    quiet: bool,
) -> None:
    """`minimise scan --shard K/N -o FILE`: analyse shard K's files and write the shard file; exit 0."""
    from minimise.config import COMMAND_LINE
    from minimise.session import SessionError
    from minimise.shards import NOT_ABOUT_RESULTS, Settings, ShardError, write_shard

    session, progress = session_for(config, **switches)
    if len(session.paths) != 1 or not session.paths[0].is_dir():
        fail(f"--shard scans one folder, not {' '.join(str(p) for p in session.paths)}")
    # --format, --jobs, --cache-dir and --fail-on may differ from job to job: the merge has its own.
    overrides = {
        key: value
        for key, value in config.values.items()
        if config.sources[key] == COMMAND_LINE and key != "include" and key not in NOT_ABOUT_RESULTS
    }
    settings = Settings(
        config_file,
        overrides,
        paths,
        no_prefilter=switches["no_prefilter"],
        follow_symlinks=switches["follow_symlinks"],
        use_baseline=switches["use_baseline"],
        use_inventory=switches["use_inventory"],
    )
    index, count = shard
    try:
        mine, total = write_shard(session, settings, index, count, Path(output))
    except (SessionError, ShardError) as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits
    finally:
        if progress is not None:
            progress.close()
    if not quiet:
        click.echo(
            f"minimise: shard {index}/{count}: {mine} of {total} files analysed, written to {output}; "
            "`minimise report merge` makes the report",
            err=True,
        )
    sys.exit(EXIT_OK)
