"""The `minimise` command line: argument parsing and printing only; the work happens elsewhere."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from minimise import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
EXIT_INTERNAL = 3  # a bug in minimise: one line on stderr, the traceback only with --debug

# Subcommands live in their own modules and load only when used, so `minimise --help`
# stays fast and never imports libcst.
_LAZY = {
    "scan": ("minimise.commands.scan_cmd", "scan_command"),
    "explain": ("minimise.commands.explain_cmd", "explain_command"),
    "inventory": ("minimise.commands.inventory_cmd", "inventory_group"),
    "baseline": ("minimise.commands.baseline_cmd", "baseline_group"),
    "config": ("minimise.commands.config_cmd", "config_command"),
    "test-rules": ("minimise.commands.test_rules_cmd", "test_rules_command"),
    "report": ("minimise.commands.report_cmd", "report_group"),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        import importlib.util

        available = {name for name, (module, _) in _LAZY.items() if importlib.util.find_spec(module) is not None}
        return sorted(set(super().list_commands(ctx)) | available)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in _LAZY:
            import importlib

            module_name, attr = _LAZY[cmd_name]
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name == module_name:
                    return None
                raise
            return getattr(module, attr)  # type: ignore[no-any-return]
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="minimise")
def cli() -> None:
    """Find personal data collected, stored, logged and shared in Python code.

    \b
    Exit codes: 0 no findings, 1 findings, 2 usage or configuration error, 3 internal error.
    Run `minimise scan --help` to start.
    """


def main() -> None:
    try:
        cli.main(prog_name="minimise", standalone_mode=True)
    except KeyboardInterrupt:
        click.echo("minimise: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - a bug: one line and its own exit code, not a traceback
        if "--debug" in sys.argv[1:]:
            raise
        internal_error(exc)


def internal_error(exc: BaseException) -> None:
    """Report a bug in minimise as one line with the --debug hint and exit with EXIT_INTERNAL."""
    from minimise.redact import redact_text
    from minimise.terminal import printable

    detail = " ".join(str(exc).split())[:300]
    what = f"{type(exc).__name__}: {detail}" if detail else type(exc).__name__
    if isinstance(exc, MemoryError):
        what = "out of memory; lower --jobs or --file-size-limit, or scan fewer files at once"
    click.echo(
        f"minimise: internal error: {printable(redact_text(what))} (run again with --debug for the traceback)",
        err=True,
    )
    sys.exit(EXIT_INTERNAL)


def fail(message: str) -> None:
    """Print a one-line error and exit with the usage/configuration code."""
    from minimise.redact import redact_text
    from minimise.terminal import printable

    click.echo(f"minimise: error: {printable(redact_text(message))}", err=True)
    sys.exit(EXIT_USAGE)


def resolve_root(paths: tuple[str, ...]) -> tuple[list[Path], Path]:
    targets = [Path(p) for p in paths] or [Path(".")]
    for target in targets:
        if not target.exists() and not target.is_symlink():
            fail(f"{target}: no such file or directory")
    if len(targets) == 1 and targets[0].is_dir():
        return targets, targets[0]
    return targets, Path(".")
