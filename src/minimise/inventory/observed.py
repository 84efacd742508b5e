"""The observed inventory: what the code does with each data item, generated from a scan.

Each use is identified by item, action, destination and code symbol (scope + identifier);
lines appear only as evidence (``at``), so moving code is not a change. Output is sorted
and stable: the same code gives byte-identical YAML and JSON (CSV: inventory/ropa.py).
Tests, fixtures and development scripts are left out unless asked for.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from minimise.checks import default_findings
from minimise.inventory.hosts import literal_hosts
from minimise.inventory.plain import is_production_path, place, vendor_of
from minimise.inventory.reconcile import Resolution, destination_of, point_symbol, reconcile
from minimise.inventory.schema import ACTION_KEYS, Inventory, Item, Recipient
from minimise.model import DataPoint

if TYPE_CHECKING:
    from minimise.knowledge import Knowledge

SCHEMA = "minimise-inventory/2"


def observe(
    points: Iterable[DataPoint],
    inventory: Inventory | None,
    knowledge: Knowledge,
    full_scan: bool = False,
    root: Path | None = None,
    include_tests: bool = False,
) -> dict[str, Any]:
    """The observed inventory as plain data (JSON-ready), sorted.

    ``root`` is where the points' paths are, to read the hosts of literal URLs.
    """
    points = sorted((p for p in points if include_tests or is_production_path(p.path)), key=DataPoint.sort_key)
    hosts = literal_hosts(points, root)
    if inventory is not None:
        rec = reconcile(points, inventory, knowledge, full_scan)
        resolutions = rec.resolutions
        point_codes = rec.point_codes
        item_findings: Counter[tuple[str, str]] = Counter()
        for finding in rec.findings:
            if finding.code in ("MIN505", "MIN506"):
                item_findings[(finding.identifier, finding.code)] += 1
    else:
        resolutions = {p: Resolution() for p in points}
        codes: dict[tuple[str, int, int, str, str, str], set[str]] = {}
        for finding in default_findings(points, knowledge):
            point_key = (
                finding.path,
                finding.line,
                finding.column,
                finding.action,
                finding.category,
                finding.identifier,
            )
            codes.setdefault(point_key, set()).add(finding.code)
        point_codes = {
            p: sorted(codes.get((p.path, p.line, p.column, p.action, p.category, p.identifier), ())) for p in points
        }
        item_findings = Counter()

    entries: dict[str, dict[str, Any]] = {}
    uses: dict[str, dict[str, dict[tuple[str, ...], dict[str, Any]]]] = {}
    if inventory is not None:
        for item in inventory.items:
            entries["item:" + item.id] = _declared_entry(item, inventory)
    for point in points:
        res = resolutions[point]
        if res.silenced:
            continue
        if res.item is not None:
            key = "item:" + res.item.id
        else:
            key = "category:" + point.category
            if key not in entries:
                entries[key] = {
                    "id": None,
                    "label": knowledge.label_of(point.category),
                    "category": point.category,
                    "sensitivity": point.sensitivity,
                    "declared": False,
                }
        use = _use(point, inventory, point_codes.get(point, []), knowledge, hosts.get(point, ""))
        identity = (point.action, use.get("to", use["via"]), use["via"], use["symbol"])
        bucket = uses.setdefault(key, {}).setdefault(point.action, {})
        if identity in bucket:
            merged = bucket[identity]
            merged["at"] = min(merged["at"], use["at"], key=_at_key)
            merged_codes = sorted(set(merged.get("findings", [])) | set(use.get("findings", [])))
            if merged_codes:
                merged["findings"] = merged_codes
            if "protected" in use and use["protected"] != merged.get("protected"):
                merged["protected"] = min(merged["protected"], use["protected"])
        else:
            bucket[identity] = use
    items = []
    for key, entry in entries.items():
        for action in ACTION_KEYS:
            found = uses.get(key, {}).get(action, {})
            entry[action] = [found[k] for k in sorted(found)]
        codes_here: Counter[str] = Counter()
        for action in ACTION_KEYS:
            for use in entry[action]:
                codes_here.update(use.get("findings", []))
        if entry["declared"]:
            for (item_id, code), count in item_findings.items():
                if item_id == entry["id"]:
                    codes_here[code] += count
        entry["findings"] = {code: codes_here[code] for code in sorted(codes_here)}
        items.append(entry)
    items.sort(key=lambda e: (not e["declared"], e["id"] or "", e["category"]))
    document: dict[str, Any] = {"schema": SCHEMA, "taxonomy": "fideslang-2"}
    if inventory is not None:
        document["inventory"] = inventory.path
        system = inventory.system
        document["system"] = {
            k: v
            for k, v in (
                ("name", system.name),
                ("owner", system.owner),
                ("responsibility", system.responsibility),
                ("subjects", list(system.subjects)),
            )
            if v
        }
        document["recipients"] = {name: _recipient(r) for name, r in sorted(inventory.recipients.items())}
        document["stores"] = {
            name: {"kind": s.kind, "encrypted_at_rest": s.encrypted_at_rest}
            for name, s in sorted(inventory.stores.items())
        }
    document["items"] = items
    return document


def _at_key(at: str) -> tuple[str, int]:
    path, _, line = at.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)


def _recipient(recipient: Recipient) -> dict[str, Any]:
    fields: tuple[tuple[str, Any], ...] = (
        ("kind", recipient.kind),
        ("vendor", recipient.vendor),
        ("purpose", recipient.purpose),
        ("country", list(recipient.countries)),
        ("transfer", recipient.transfer),
        ("transfer_document", recipient.transfer_document),
        ("dpa", recipient.dpa),
    )
    return {k: v for k, v in fields if v}


def _declared_entry(item: Item, inventory: Inventory) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": item.id,
        "label": item.label,
        "category": item.category,
        "sensitivity": item.sensitivity,
        "declared": True,
    }
    if len(item.categories) > 1:
        entry["categories"] = list(item.categories)
    entry["subjects"] = list(item.subjects or inventory.system.subjects)
    entry["purposes"] = list(item.purposes)
    entry["lawful_basis"] = item.lawful_basis or None
    entry["retention"] = item.retention.describe() if item.retention else None
    entry["owner"] = item.owner or inventory.system.owner or None
    return entry


def _use(
    point: DataPoint, inventory: Inventory | None, codes: list[str], knowledge: Knowledge, host: str
) -> dict[str, Any]:
    use: dict[str, Any] = {}
    recipient: Recipient | None = None
    if point.action in ("store", "share"):
        use["to"] = destination_of(point, inventory)
        if point.action == "share" and inventory is not None:
            recipient = inventory.recipients.get(use["to"])
        if point.action == "share" and recipient is None and host:
            use["to"] = host
    use["via"] = point.via
    use["kind"] = point.sink_kind
    if host:
        use["host"] = host
    if recipient is not None and recipient.purpose:
        use["purpose"] = recipient.purpose
    vendor = ""
    if point.action == "share":
        vendor = (recipient.vendor if recipient else "") or vendor_of(point.via, knowledge)
    use["place"] = place(point, knowledge, host, vendor)
    use["symbol"] = point_symbol(point)
    if point.action in ("store", "share"):
        use["protected"] = point.protection
    use["at"] = f"{point.path}:{point.line}"
    if codes:
        use["findings"] = list(codes)
    return use


# --------------------------------------------------------------------------- rendering
class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def to_yaml(document: dict[str, Any]) -> str:
    header = "# Generated by `minimise inventory generate`; do not edit. The human inventory is data-inventory.yaml.\n"
    return header + yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=1000
    )


def to_json(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


RENDER = {"yaml": to_yaml, "json": to_json}
