"""`minimise config`: print the merged configuration and where each value came from."""

from __future__ import annotations

import json
from typing import Any

import click

from minimise.commands.scan_cmd import config_options, merged_config


@click.command("config", short_help="Show the configuration `minimise scan` would use, and where each value came from.")
@click.argument("paths", nargs=-1, type=click.Path())
@config_options
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of TOML-like lines.")
@click.pass_context
def config_command(
    ctx: click.Context, paths: tuple[str, ...], config_file: str | None, as_json: bool, **values: Any
) -> None:
    """Show the configuration `minimise scan` would use, with each value's origin.

    \b
    Origins: "default", the configuration file's path, or "command line". Takes the same
    options as `minimise scan`; exit code 2 when the configuration is invalid.
    """
    from minimise.config import KEYS, display_path, format_value

    config = merged_config(ctx, paths, config_file, values)
    rows = config.describe()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "file": display_path(config.file) if config.file else None,
                    "settings": {name: {"value": value, "source": source} for name, value, source in rows},
                },
                indent=2,
            )
        )
        return
    click.echo(f"# configuration file: {display_path(config.file) if config.file else '(none found)'}")
    width = max(len(name) for name in KEYS)
    for name, value, source in rows:
        click.echo(f"{name:<{width}} = {format_value(value)}  # {source}")
