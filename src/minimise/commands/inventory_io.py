"""What the inventory commands share: the rules, the declared inventory, and writing the result."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from minimise.cli import fail

if TYPE_CHECKING:
    from minimise.inventory.schema import Inventory
    from minimise.knowledge import Knowledge


def rules_knowledge(extra_rules: tuple[str, ...]) -> Knowledge:
    """The shipped rules and the team's, or a one-line error naming the rule file and line."""
    from minimise.knowledge import load_knowledge
    from minimise.yamlio import YamlError

    try:
        return load_knowledge(tuple(extra_rules))
    except YamlError as exc:
        fail(str(exc))
        raise AssertionError from None  # unreachable: fail() exits


def load_declared(path: Path | None, root: Path, knowledge: Knowledge) -> Inventory | None:
    """The declared inventory at ``path`` (None for none), or a one-line error naming its line."""
    from minimise.inventory.load import InventoryError, load_inventory
    from minimise.inventory.reconcile import display_path

    if path is None:
        return None
    try:
        return load_inventory(path, display_path(path, root), knowledge)
    except InventoryError as exc:
        fail(str(exc))
        raise AssertionError from None


def declared_inventory_path(option: str | None, root: Path) -> Path | None:
    """The inventory named by ``--inventory``, else data-inventory.yaml found from ``root``."""
    from minimise.inventory.reconcile import find_inventory

    if option:
        path = Path(option)
        if not path.is_file():
            fail(f"{path}: no such inventory file (create one with `minimise inventory init`)")
        return path
    return find_inventory(root)


def emit(text: str, output: str | None) -> None:
    """Write the result to ``-o`` atomically, or to stdout."""
    if output:
        from minimise.atomic import write_output

        try:
            write_output(Path(output), text)
        except OSError as exc:
            fail(f"cannot write {output}: {exc.strerror or exc}")
    else:
        click.echo(text, nl=False)
