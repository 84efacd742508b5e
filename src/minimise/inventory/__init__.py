"""The data inventory: declare personal data in data-inventory.yaml, check code against it,
generate the observed inventory and diff it between two git revisions."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minimise.inventory.load import InventoryError, load_inventory, parse_inventory
    from minimise.inventory.reconcile import build_policy, find_inventory, inventory_findings
    from minimise.inventory.schema import DEFAULT_FILE, Inventory, Item

# Name -> the module defining it, imported on first use: a scan that only needs the inventory
# checks' codes (minimise.inventory.reconcile) does not load the YAML reader with them.
_HOMES = {
    "DEFAULT_FILE": "schema",
    "Inventory": "schema",
    "Item": "schema",
    "InventoryError": "load",
    "load_inventory": "load",
    "parse_inventory": "load",
    "build_policy": "reconcile",
    "find_inventory": "reconcile",
    "inventory_findings": "reconcile",
}

__all__ = [
    "DEFAULT_FILE",
    "Inventory",
    "InventoryError",
    "Item",
    "build_policy",
    "find_inventory",
    "inventory_findings",
    "load_inventory",
    "parse_inventory",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{home}"), name)
