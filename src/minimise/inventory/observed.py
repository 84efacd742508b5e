"""The observed inventory: what the code does with each data item, generated from a scan.

Each use is identified by item, action, destination and code symbol (scope + identifier);
lines appear only as evidence (``at``), so moving code is not a change. Output is sorted
and stable: the same code gives byte-identical YAML, JSON and CSV.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import yaml

from minimise.checks import default_findings
from minimise.inventory.reconcile import Resolution, destination_of, point_symbol, reconcile
from minimise.inventory.schema import ACTION_KEYS, Inventory, Item
from minimise.model import SENSITIVITIES, DataPoint

if TYPE_CHECKING:
    from minimise.knowledge import Knowledge

SCHEMA = "minimise-inventory/1"
CSV_COLUMNS = (
    "Data item",
    "Category",
    "Sensitivity",
    "Purposes",
    "Lawful basis",
    "Retention",
    "Collected at",
    "Stored in",
    "Logged",
    "Shared with",
    "Protection",
    "Owner",
    "Declared",
    "Findings",
)


def observe(
    points: Iterable[DataPoint], inventory: Inventory | None, knowledge: Knowledge, full_scan: bool = False
) -> dict[str, Any]:
    """The observed inventory as plain data (JSON-ready), sorted."""
    points = sorted(points, key=DataPoint.sort_key)
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
        use = _use(point, inventory, point_codes.get(point, []))
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
        if inventory.system.name:
            document["system"] = inventory.system.name
        document["recipients"] = {
            name: {
                k: v
                for k, v in (("kind", r.kind), ("purpose", r.purpose), ("country", r.country), ("transfer", r.transfer))
                if v
            }
            for name, r in sorted(inventory.recipients.items())
        }
        document["stores"] = {
            name: {"kind": s.kind, "encrypted_at_rest": s.encrypted_at_rest}
            for name, s in sorted(inventory.stores.items())
        }
    document["items"] = items
    return document


def _at_key(at: str) -> tuple[str, int]:
    path, _, line = at.rpartition(":")
    return (path, int(line) if line.isdigit() else 0)


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
    entry["purposes"] = list(item.purposes)
    entry["lawful_basis"] = item.lawful_basis or None
    entry["retention"] = item.retention.describe() if item.retention else None
    entry["owner"] = item.owner or inventory.system.owner or None
    return entry


def _use(point: DataPoint, inventory: Inventory | None, codes: list[str]) -> dict[str, Any]:
    use: dict[str, Any] = {}
    if point.action in ("store", "share"):
        use["to"] = destination_of(point, inventory)
    use["via"] = point.via
    if point.action == "share" and inventory is not None and use["to"] in inventory.recipients:
        purpose = inventory.recipients[use["to"]].purpose
        if purpose:
            use["purpose"] = purpose
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


def to_csv(document: dict[str, Any]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    recipients = document.get("recipients", {})
    for entry in document["items"]:
        label = f"{entry['label']} ({entry['id']})" if entry["id"] else entry["label"]
        shared = []
        for name in sorted({u["to"] for u in entry["share"]}):
            info = recipients.get(name, {})
            details = ", ".join(v for v in (info.get("country", ""), info.get("transfer", "")) if v)
            shared.append(f"{name} ({details})" if details else name)
        protections = sorted({u["protected"] for u in entry["store"] + entry["share"]}, key=lambda p: (p == "none", p))
        logged = sorted({u["via"] for u in entry["log"]})
        writer.writerow(
            [
                label,
                entry["category"],
                entry["sensitivity"],
                "; ".join(entry.get("purposes", [])),
                entry.get("lawful_basis") or "",
                entry.get("retention") or "",
                "; ".join(sorted({u["via"] for u in entry["collect"]})),
                "; ".join(sorted({u["to"] for u in entry["store"]})),
                f"yes ({', '.join(logged)})" if logged else "no",
                "; ".join(shared),
                "; ".join(protections),
                entry.get("owner") or "",
                "yes" if entry["declared"] else "no",
                "; ".join(f"{code} x{count}" for code, count in entry["findings"].items()),
            ]
        )
    return buffer.getvalue()


RENDER = {"yaml": to_yaml, "json": to_json, "csv": to_csv}


def sensitivity_rank(level: str) -> int:
    return SENSITIVITIES.index(level) if level in SENSITIVITIES else 1
