"""The record of processing activities (GDPR Art. 30) and the per-item view, as CSV.

One row per activity (a declared purpose), in plain words: vendors and hosts, not libraries;
purpose, subject and lawful-basis labels, not taxonomy keys. The CSV opens in spreadsheets
as written: UTF-8 with a byte order mark (Excel reads BOM-less UTF-8 as the local code page),
CRLF line ends and quoting per RFC 4180, and cells that a spreadsheet would run as a formula
(starting with = + - @, tab or carriage return) prefixed with an apostrophe (CWE-1236).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from minimise.inventory.plain import (
    in_eea,
    lawful_basis_label,
    protection_label,
    purpose_label,
    retention_words,
    safeguard_label,
    special_basis_label,
    subject_label,
    vendor_of,
)
from minimise.taxonomy import Taxonomy

if TYPE_CHECKING:
    from minimise.inventory.schema import Inventory, Item
    from minimise.knowledge import Knowledge

BOM = "\ufeff"
ACTIVITY_COLUMNS = (
    "Activity",
    "Controller / owner",
    "Purposes",
    "Lawful basis",
    "Categories of data subjects",
    "Categories of personal data",
    "Recipients",
    "Third-country transfers and safeguards",
    "Retention",
    "Technical measures",
    "Open points",
)
ITEM_COLUMNS = (
    "Data item",
    "Category",
    "Sensitivity",
    "Purposes",
    "Lawful basis",
    "Retention",
    "Collected through",
    "Stored in",
    "Logged in",
    "Shared with",
    "Protection",
    "Owner",
    "Declared",
    "Findings",
)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NO_PURPOSE = ""
UNDECLARED = "<undeclared>"


def safe_cell(text: str) -> str:
    """A cell no spreadsheet evaluates: a leading formula character gets an apostrophe before it."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def write_csv(header: Iterable[str], rows: Iterable[Iterable[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(list(header))
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return BOM + buffer.getvalue()


def _join(values: Iterable[str]) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


# --------------------------------------------------------------------------- recipients
@dataclass(frozen=True)
class Receiver:
    """One recipient of an activity, as people name it."""

    name: str  # vendor, host or declared name
    declared: str = ""  # the recipient's name in the inventory, "" when undeclared
    purpose: str = ""


def _receivers(
    entry: dict[str, Any], item: Item | None, inventory: Inventory | None, knowledge: Knowledge
) -> list[Receiver]:
    found: dict[tuple[str, str], Receiver] = {}
    recipients = inventory.recipients if inventory is not None else {}
    for use in entry["share"]:
        declared = use["to"] if use["to"] in recipients else ""
        purpose = recipients[declared].purpose if declared else ""
        found.setdefault((use["place"], declared), Receiver(use["place"], declared, purpose))
    allowed = item.allow.get("share") if item is not None else None
    if isinstance(allowed, tuple):
        for name in allowed:
            recipient = recipients[name]
            shown = recipient.vendor or vendor_of(name, knowledge) or name
            if not any(r.declared == name for r in found.values()):
                found[(shown, name)] = Receiver(shown, name, recipient.purpose)
    return sorted(found.values(), key=lambda r: (r.name.lower(), r.declared))


def _transfer_text(receiver: Receiver, inventory: Inventory | None) -> str:
    if not receiver.declared or inventory is None:
        return f"{receiver.name}: not declared, country unknown"
    recipient = inventory.recipients[receiver.declared]
    if not recipient.countries:
        return f"{receiver.name}: country not declared"
    outside = [c for c in recipient.countries if not in_eea(c)]
    if not outside:
        return ""
    safeguard = safeguard_label(recipient.transfer) if recipient.transfer else "no safeguard declared"
    return f"{receiver.name} ({', '.join(outside)}): {safeguard}"


# --------------------------------------------------------------------------- activities
@dataclass
class Activity:
    purpose: str  # a data use key, NO_PURPOSE or UNDECLARED
    entries: list[dict[str, Any]] = field(default_factory=list)


def activities(document: dict[str, Any]) -> list[Activity]:
    """One activity per declared purpose, then items without one, then undeclared data."""
    by_purpose: dict[str, Activity] = {}
    for entry in document["items"]:
        if not entry["declared"]:
            by_purpose.setdefault(UNDECLARED, Activity(UNDECLARED)).entries.append(entry)
            continue
        for purpose in entry.get("purposes") or [NO_PURPOSE]:
            by_purpose.setdefault(purpose, Activity(purpose)).entries.append(entry)
    order = sorted(k for k in by_purpose if k not in (NO_PURPOSE, UNDECLARED))
    return [by_purpose[k] for k in order + [NO_PURPOSE, UNDECLARED] if k in by_purpose]


def _activity_name(activity: Activity, knowledge: Knowledge) -> tuple[str, str]:
    if activity.purpose == UNDECLARED:
        return "Not in the data inventory", "Found in the code; declare a purpose or stop the processing"
    if activity.purpose == NO_PURPOSE:
        return "Purpose not declared", "Declared data without a purpose"
    entry = knowledge.taxonomy.uses.get(activity.purpose)
    description = entry.description.strip() if entry is not None else ""
    return purpose_label(activity.purpose, knowledge), description


def _controller(inventory: Inventory | None, items: list[Item]) -> str:
    if inventory is None:
        return "not declared"
    system = inventory.system
    parts = []
    if system.name:
        role = system.responsibility.replace("_", " ")
        parts.append(f"{system.name} ({role})" if role else system.name)
    owners = _join([item.owner for item in items] or []) or system.owner
    if owners:
        parts.append(f"owner {owners}")
    return "; ".join(parts) or "not declared"


def _item_of(entry: dict[str, Any], inventory: Inventory | None) -> Item | None:
    return inventory.item(entry["id"]) if inventory is not None and entry["id"] else None


def activity_row(activity: Activity, inventory: Inventory | None, knowledge: Knowledge) -> tuple[list[str], list[str]]:
    """The row of one activity, and its open points (kept for the last column)."""
    name, purposes = _activity_name(activity, knowledge)
    items = [it for it in (_item_of(e, inventory) for e in activity.entries) if it is not None]
    open_points: list[str] = []
    bases, subjects, categories, retention, measures = [], [], [], [], []
    receivers: list[Receiver] = []
    for entry in activity.entries:
        item = _item_of(entry, inventory)
        label = entry["label"]
        special = entry["sensitivity"] == "special"
        categories.append(f"{label} (special category)" if special else label)
        subjects += [subject_label(s, knowledge) for s in entry.get("subjects", [])]
        for use in entry["store"] + entry["share"]:
            if use.get("protected", "none") != "none":
                measures.append(f"{protection_label(use['protected'])} of {label}")
        if item is None:
            continue
        if item.lawful_basis:
            bases.append(lawful_basis_label(item.lawful_basis))
        else:
            open_points.append(f"lawful basis of {label}")
        if item.special_category_basis:
            bases.append(special_basis_label(item.special_category_basis))
        elif special:
            open_points.append(f"Art. 9 condition of {label}")
        if item.retention is not None:
            r = item.retention
            retention.append(f"{label}: {retention_words(r.period, r.after, r.until)}")
        else:
            open_points.append(f"retention of {label}")
        for receiver in _receivers(entry, item, inventory, knowledge):
            if receiver.purpose and activity.purpose and not Taxonomy.covers(activity.purpose, receiver.purpose):
                if any(Taxonomy.covers(p, receiver.purpose) for p in item.purposes):
                    continue  # listed under the activity it serves
                # Used for a purpose the data does not have: listed here, and said.
                open_points.append(
                    f"{receiver.name} receives {label} for {purpose_label(receiver.purpose, knowledge)}, "
                    "not a declared purpose of it"
                )
            receivers.append(receiver)
    if activity.purpose == UNDECLARED:
        for entry in activity.entries:
            receivers += _receivers(entry, None, inventory, knowledge)
    stores = inventory.stores if inventory is not None else {}
    encrypted = sorted(
        {
            u["to"]
            for e in activity.entries
            for u in e["store"]
            if u["to"] in stores and stores[u["to"]].encrypted_at_rest
        }
    )
    if encrypted:
        measures.append(f"Encryption at rest ({', '.join(encrypted)})")
    if not subjects:
        open_points.append("categories of data subjects")
    unique = list({(r.name, r.declared): r for r in receivers}.values())
    for receiver in unique:
        if not receiver.declared:
            open_points.append(f"{receiver.name} is not a declared recipient")
    transfers = [t for t in (_transfer_text(r, inventory) for r in unique) if t]
    open_points += [f"transfer safeguard for {t.split(':', 1)[0]}" for t in transfers if "no safeguard" in t]
    row = [
        name,
        _controller(inventory, items),
        purposes,
        _join(sorted(bases)) or "not declared",
        _join(sorted(subjects)) or "not declared",
        _join(sorted(categories, key=str.lower)),
        _join(r.name + ("" if r.declared else " (not declared)") for r in unique) or "none",
        _join(transfers) or "none",
        _join(retention) or "not declared",
        _join(sorted(measures)) or "none seen in code",
        _join(open_points),
    ]
    return row, open_points


def to_activities_csv(document: dict[str, Any], inventory: Inventory | None, knowledge: Knowledge) -> str:
    """The record of processing activities, one row per activity."""
    rows = [activity_row(a, inventory, knowledge)[0] for a in activities(document)]
    return write_csv(ACTIVITY_COLUMNS, rows)


# --------------------------------------------------------------------------- per item
def _receiver_details(receiver: Receiver, inventory: Inventory | None) -> str:
    if not receiver.declared or inventory is None:
        return f"{receiver.name} (not declared)"
    recipient = inventory.recipients[receiver.declared]
    details = list(recipient.countries)
    if recipient.transfer:
        details.append(safeguard_label(recipient.transfer))
    return f"{receiver.name} ({', '.join(details)})" if details else receiver.name


def to_items_csv(document: dict[str, Any], inventory: Inventory | None, knowledge: Knowledge) -> str:
    """One row per data item: what the code does with it, in plain words."""
    rows = []
    for entry in document["items"]:
        item = _item_of(entry, inventory)
        label = f"{entry['label']} ({entry['id']})" if entry["id"] else entry["label"]
        shared = []
        for receiver in _receivers(entry, item, inventory, knowledge):
            if not any(u["place"] == receiver.name for u in entry["share"]):
                continue  # allowed but not seen: the activities view lists it
            shared.append(_receiver_details(receiver, inventory))
        protections = sorted({u["protected"] for u in entry["store"] + entry["share"]}, key=lambda p: (p == "none", p))
        retention = ""
        if item is not None and item.retention is not None:
            retention = retention_words(item.retention.period, item.retention.after, item.retention.until)
        basis = lawful_basis_label(item.lawful_basis) if item is not None and item.lawful_basis else ""
        rows.append(
            [
                label,
                knowledge.label_of(entry["category"]),
                entry["sensitivity"],
                _join(purpose_label(p, knowledge) for p in entry.get("purposes", [])),
                basis,
                retention,
                _join(sorted({u["place"] for u in entry["collect"]})),
                _join(sorted({u["place"] for u in entry["store"]})),
                _join(sorted({u["place"] for u in entry["log"]})) or "no",
                _join(shared),
                _join(protection_label(p) if p != "none" else "none" for p in protections),
                entry.get("owner") or "",
                "yes" if entry["declared"] else "no",
                _join(f"{code} x{count}" for code, count in entry["findings"].items()),
            ]
        )
    return write_csv(ITEM_COLUMNS, rows)
