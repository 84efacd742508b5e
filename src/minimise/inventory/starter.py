"""A starter data-inventory.yaml written from a scan, for humans to complete (TODO comments)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from minimise.inventory.patterns import normalise_name
from minimise.inventory.plain import place, vendor_of
from minimise.inventory.reconcile import matching_recipients, matching_stores, resolve
from minimise.inventory.schema import SCHEMA_VERSION, Inventory
from minimise.model import SENSITIVITIES, DataPoint

if TYPE_CHECKING:
    from minimise.knowledge import Knowledge

MAX_NAMES = 25
MAX_HELD = 10  # commented uses listed per item
SENSITIVE = ("high", "special")
_ACTION_ORDER = {"store": 0, "log": 1, "share": 2}
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


@dataclass
class _Held:
    """A use the starter does not allow: where it was seen and the edit that would allow it."""

    point: DataPoint
    what: str
    allow_with: str


def _held_line(held: _Held) -> str:
    p = held.point
    name = p.identifier.rsplit(".", 1)[-1]
    return f"    # - {held.what} at {p.path}:{p.line} (`{name}`); if intended: {held.allow_with}"


def _sensitive_in_clear(point: DataPoint) -> bool:
    return point.sensitivity in SENSITIVE and point.protection == "none"


def _items_yaml(
    groups: dict[str, list[DataPoint]],
    knowledge: Knowledge,
    taken: set[str],
    inventory: Inventory | None = None,
    hosts: dict[DataPoint, str] | None = None,
) -> list[str]:
    """Items that allow what is collected and stored; logging, sharing and sensitive data
    stored in clear stay disallowed, each as a comment saying where it was seen."""
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
        held: list[_Held] = []
        stores: set[str] = set()
        for p in points:
            if p.action == "log":
                held.append(_Held(p, f"logged to {place(p, knowledge)}", "log: true"))
            elif p.action == "share":
                if inventory is None:
                    target = recipient_name(p.via)
                else:
                    found = matching_recipients(p, inventory)
                    target = found[0] if found else ""
                    if not found:
                        unknown.add(f"shared via {p.via}")
                allow_with = f"share: [{target}]" if target else "declare the recipient, then list it in share"
                held.append(_Held(p, f"shared with {place(p, knowledge, (hosts or {}).get(p, ''))}", allow_with))
            elif p.action == "store":
                if inventory is None:
                    matched = [STARTER_STORES[p.sink_kind][0]] if p.sink_kind in STARTER_STORES else []
                else:
                    matched = matching_stores(p, inventory)[:1]
                    if not matched:
                        unknown.add(f"stored via {p.via}")
                if _sensitive_in_clear(p) and not (
                    inventory is not None and any(inventory.stores[m].encrypted_at_rest for m in matched)
                ):
                    held.append(
                        _Held(
                            p,
                            f"stored without encryption in the {place(p, knowledge)}",
                            "encrypt, hash or tokenise it in the code, or declare the store encrypted_at_rest: true"
                            + (f" and add store: [{matched[0]}]" if matched else ""),
                        )
                    )
                else:
                    stores.update(matched)
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
        allow.append(f"store: {_flow(sorted(stores))}" if stores else "store: false")
        allow += ["log: false", "share: false"]
        out.append(f"    allow: {{{', '.join(allow)}}}")
        if held:
            out.append("    # Not allowed until someone decides; `minimise scan` reports each of these:")
            shown = sorted(held, key=lambda h: (_ACTION_ORDER[h.point.action], h.point.sort_key()))
            out += [_held_line(h) for h in shown[:MAX_HELD]]
            if len(shown) > MAX_HELD:
                out.append(f"    # - and {len(shown) - MAX_HELD} more (see `minimise scan`)")
        if unknown:
            out.append(f"    # TODO: also {'; '.join(sorted(unknown))}: declare the store or recipient, then allow it")
    return out


def _recipient_vendors(points: list[DataPoint], knowledge: Knowledge, hosts: dict[DataPoint, str]) -> dict[str, str]:
    """Recipient name -> vendor for the starter: the sink's vendor, or the one host a sink sends to."""
    seen: dict[str, set[str]] = {}
    for p in points:
        if p.action == "share":
            vendor = vendor_of(p.via, knowledge) or hosts.get(p, "")
            seen.setdefault(recipient_name(p.via), set()).add(vendor)
    return {name: next(iter(v)) if len(v) == 1 else "" for name, v in seen.items()}


def starter_inventory(
    points: Iterable[DataPoint], knowledge: Knowledge, system: str = "", hosts: dict[DataPoint, str] | None = None
) -> str:
    """A complete data-inventory.yaml for everything the scan found."""
    points = list(points)
    hosts = hosts or {}
    lines = [
        "# Data inventory: the personal data this system handles and what may happen to it.",
        "# Written by `minimise inventory init`; edit it by hand, minimise never rewrites it.",
        "# Format: docs/inventory.md. Check the code against it: minimise scan --inventory data-inventory.yaml",
        f"version: {SCHEMA_VERSION}",
        "taxonomy: {base: fideslang-2}",
        f'system: {{name: {_q(system or "TODO")}, owner: "TODO", subjects: [customer], responsibility: controller}}',
    ]
    recipients = _recipient_vendors(points, knowledge, hosts)
    if recipients:
        lines.append("# Who receives data from the code. Declared here so an item can allow them; no item does yet.")
        lines.append("recipients:  # TODO: kind (processor | controller | third_party), purpose, country, transfer")
        for name, vendor in sorted(recipients.items()):
            lines.append(f"  {name}: {{kind: processor{', vendor: ' + _q(vendor) if vendor else ''}}}")
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
        lines += _items_yaml(groups, knowledge, set(), None, hosts)
    else:
        lines.append("data: []")
    lines.append("non_personal: []  # names minimise mistakes for personal data: - {name: ..., reason: ...}")
    return "\n".join(lines) + "\n"


def missing_items(
    points: Iterable[DataPoint], inventory: Inventory, knowledge: Knowledge, hosts: dict[DataPoint, str] | None = None
) -> str:
    """YAML items to add under `data:` for the data points the inventory does not declare."""
    undeclared = [p for p in points if (r := resolve(p, inventory)).item is None and not r.silenced]
    if not undeclared:
        return ""
    taken = {item.id for item in inventory.items}
    lines = ["# Add under `data:` in " + inventory.path + " (review every TODO):"]
    lines += _items_yaml(_group(undeclared), knowledge, taken, inventory, hosts)
    return "\n".join(lines) + "\n"
