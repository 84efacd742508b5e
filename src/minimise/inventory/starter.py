"""A starter data-inventory.yaml written from a scan, for humans to complete (TODO comments)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from minimise.inventory.load import normalise_name
from minimise.inventory.reconcile import matching_recipients, matching_stores, resolve
from minimise.inventory.schema import SCHEMA_VERSION, Inventory
from minimise.model import SENSITIVITIES, DataPoint

if TYPE_CHECKING:
    from minimise.knowledge import Knowledge

MAX_NAMES = 25
# Sink kind of a store data point -> (store name, store kind) in the starter.
STARTER_STORES = {
    "database": ("database", "database"),
    "cache": ("cache", "cache"),
    "file": ("files", "file"),
    "cookie": ("cookies", "cookie"),
}


def _q(text: str) -> str:
    """A YAML-safe scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _flow(values: Iterable[str]) -> str:
    return "[" + ", ".join(_q(v) for v in values) + "]"


def item_id_for(category: str) -> str:
    parts = category.split(".")
    if parts[0] in ("user", "system") and len(parts) > 1:
        parts = parts[1:] if parts[0] == "user" else parts
    return "_".join(parts)


def recipient_name(via: str) -> str:
    return via.split(".", 1)[0].lower()


def _group(points: Iterable[DataPoint]) -> dict[str, list[DataPoint]]:
    groups: dict[str, list[DataPoint]] = {}
    for point in sorted(points, key=DataPoint.sort_key):
        groups.setdefault(point.category, []).append(point)
    return dict(sorted(groups.items()))


def _items_yaml(
    groups: dict[str, list[DataPoint]], knowledge: Knowledge, taken: set[str], inventory: Inventory | None = None
) -> list[str]:
    out: list[str] = []
    for category, points in groups.items():
        base = item_id_for(category)
        item_id, n = base, 2
        while item_id in taken:
            item_id, n = f"{base}_{n}", n + 1
        taken.add(item_id)
        sensitivity = max((p.sensitivity for p in points), key=SENSITIVITIES.index)
        names = sorted({normalise_name(p.identifier.rsplit(".", 1)[-1]) for p in points} - {""})
        actions = {p.action for p in points}
        unknown: set[str] = set()
        if inventory is None:
            stores = sorted(
                {
                    STARTER_STORES[p.sink_kind][0]
                    for p in points
                    if p.action == "store" and p.sink_kind in STARTER_STORES
                }
            )
            recipients = sorted({recipient_name(p.via) for p in points if p.action == "share"})
        else:
            found_stores: set[str] = set()
            found_recipients: set[str] = set()
            for p in points:
                if p.action == "store":
                    matched = matching_stores(p, inventory)
                    found_stores.update(matched[:1])
                    if not matched:
                        unknown.add(f"stored via {p.via}")
                elif p.action == "share":
                    matched = matching_recipients(p, inventory)
                    found_recipients.update(matched[:1])
                    if not matched:
                        unknown.add(f"shared via {p.via}")
            stores, recipients = sorted(found_stores), sorted(found_recipients)
        first = points[0]
        out.append(f"  - id: {item_id}")
        out.append(f"    label: {_q(knowledge.label_of(category))}  # TODO: plain words for product managers")
        out.append(f"    category: {category}")
        out.append(f"    sensitivity: {sensitivity}")
        out.append("    purposes: []  # TODO: data uses, e.g. essential.service, analytics.reporting")
        out.append(
            "    # lawful_basis: contract  # TODO: consent | contract | legal_obligation | vital_interests"
            " | public_interest | legitimate_interests"
        )
        if sensitivity == "special":
            out.append("    # special_category_basis: explicit_consent  # TODO: the GDPR Art. 9 condition")
        out.append("    # retention: {period: P2Y, after: account_closed}  # TODO: how long, after what")
        count = f"{len(points)} {'use' if len(points) == 1 else 'uses'}"
        out.append(f"    # first seen at {first.path}:{first.line} ({count})")
        out.append(f"    match: {{names: {_flow(names[:MAX_NAMES])}}}")
        allow = [f"collect: {'true' if 'collect' in actions else 'false'}"]
        allow.append(f"store: {_flow(stores)}" if stores else "store: false")
        allow.append(f"log: {'true' if 'log' in actions else 'false'}")
        allow.append(f"share: {_flow(recipients)}" if recipients else "share: false")
        out.append(f"    allow: {{{', '.join(allow)}}}  # TODO: observed in the code today; keep only what is intended")
        if unknown:
            out.append(f"    # TODO: also {'; '.join(sorted(unknown))}: declare the store or recipient, then allow it")
    return out


def starter_inventory(points: Iterable[DataPoint], knowledge: Knowledge, system: str = "") -> str:
    """A complete data-inventory.yaml for everything the scan found."""
    points = list(points)
    lines = [
        "# Data inventory: the personal data this system handles and what may happen to it.",
        "# Written by `minimise inventory init`; edit it by hand, minimise never rewrites it.",
        "# Format: docs/inventory.md. Check the code against it: minimise scan --inventory data-inventory.yaml",
        f"version: {SCHEMA_VERSION}",
        "taxonomy: {base: fideslang-2}",
        f'system: {{name: {_q(system or "TODO")}, owner: "TODO", subjects: [customer], responsibility: controller}}',
    ]
    recipients = sorted({recipient_name(p.via) for p in points if p.action == "share"})
    if recipients:
        lines.append("recipients:  # TODO: kind (processor | controller | third_party), purpose, country, transfer")
        for name in recipients:
            lines.append(f"  {name}: {{kind: processor}}")
    stores = sorted(
        {STARTER_STORES[p.sink_kind] for p in points if p.action == "store" and p.sink_kind in STARTER_STORES}
    )
    if stores:
        lines.append("stores:  # TODO: set encrypted_at_rest: true where the storage is encrypted")
        for name, kind in stores:
            lines.append(f"  {name}: {{kind: {kind}, encrypted_at_rest: false}}")
    groups = _group(points)
    if groups:
        lines.append("data:")
        lines += _items_yaml(groups, knowledge, set())
    else:
        lines.append("data: []")
    lines.append("non_personal: []  # names minimise mistakes for personal data: - {name: ..., reason: ...}")
    return "\n".join(lines) + "\n"


def missing_items(points: Iterable[DataPoint], inventory: Inventory, knowledge: Knowledge) -> str:
    """YAML items to add under `data:` for the data points the inventory does not declare."""
    undeclared = [p for p in points if (r := resolve(p, inventory)).item is None and not r.silenced]
    if not undeclared:
        return ""
    taken = {item.id for item in inventory.items}
    lines = ["# Add under `data:` in " + inventory.path + " (review every TODO):"]
    lines += _items_yaml(_group(undeclared), knowledge, taken, inventory)
    return "\n".join(lines) + "\n"
