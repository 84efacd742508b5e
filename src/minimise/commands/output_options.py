"""The report-output options that `scan` and `report merge` share: exit status, quiet, colour, statistics."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import click

F = TypeVar("F", bound=Callable[..., object])


def output_options(command: F) -> F:
    """Add --exit-zero, -q, --color and --statistics to a command that renders a report."""
    for option in reversed(
        [
            click.option(
                "--exit-zero", is_flag=True, help="Exit 0 even when there are findings (errors still exit 2)."
            ),
            click.option("-q", "--quiet", is_flag=True, help="Print findings only: no summary, no hints."),
            click.option(
                "--color",
                "--colour",
                "color",
                type=click.Choice(["auto", "always", "never"]),
                default="auto",
                show_default=True,
                help="Colour the text report (auto honours FORCE_COLOR, NO_COLOR and CI).",
            ),
            click.option(
                "--statistics", "show_statistics", is_flag=True, help="Print how many findings each code raised."
            ),
        ]
    ):
        command = option(command)
    return command
