"""The data inventory: declare personal data in data-inventory.yaml, check code against it,
generate the observed inventory and diff it between two git revisions."""

from __future__ import annotations

from minimise.inventory.load import InventoryError, load_inventory, parse_inventory
from minimise.inventory.reconcile import build_policy, find_inventory, inventory_findings
from minimise.inventory.schema import DEFAULT_FILE, Inventory, Item

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
