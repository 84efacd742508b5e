"""What changes for personal data between two observed inventories, and which changes need a decision.

Uses are compared by item, action and destination, never by line. A use whose item changed
because the data was declared (same action, sink, host and code symbol) is one change, "now
declared", not a start and a stop. Each change that needs a person says what to decide and who.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from minimise.inventory.edits import PRIVACY_LEAD, Edit, inventory_edits
from minimise.inventory.plain import generic_share_words

if TYPE_CHECKING:
    from minimise.inventory.schema import Inventory
    from minimise.knowledge import Knowledge

ACTION_ORDER = {"collect": 0, "store": 1, "log": 2, "share": 3}
CHANGE_ORDER = {"new": 0, "now_disallowed": 1, "now_declared": 2, "moved": 3, "stopped": 4}
SECURITY_LEAD = "security lead"
PHRASES = {
    "collect": "collected through the {place}",
    "store": "stored in the {place}",
    "log": "written to {place}",
    "share": "sent to {place}",
}
_ASK_ALLOW = "allow it in the data inventory, or stop it"


def phrase(action: str, place: str) -> str:
    return PHRASES[action].format(place=place)


@dataclass(frozen=True)
class Decision:
    """Something a person must decide about a change."""

    kind: str  # new_data | new_recipient | not_allowed | unprotected | no_longer_allowed | inventory_edit
    what: str  # what changes, in plain words
    decide: str  # what to decide
    who: str
    item: str = ""  # item:<id> or category:<key>; "" for edits outside items

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "what": self.what, "decide": self.decide, "who": self.who, "item": self.item or None}


@dataclass
class Change:
    """One use of personal data that starts, stops or changes item between the two sides."""

    change: str  # new | stopped | now_declared | moved | now_disallowed
    action: str
    item_key: str  # item:<id> or category:<key>
    data: str  # plain label
    category: str
    destination: str  # declared store or recipient, host, or sink id
    via: str
    place: str  # plain words for where
    decisions: list[Decision] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    was: str = ""  # the item key before, for now_declared and moved

    def to_json(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "action": self.action,
            "item": self.item_key,
            "was": self.was or None,
            "data": self.data,
            "category": self.category,
            "destination": self.destination,
            "via": self.via,
            "place": self.place,
            "needs_decision": bool(self.decisions),
            "decisions": [d.to_json() for d in self.decisions],
            "evidence": self.evidence,
        }


@dataclass
class InventoryDiff:
    base: str
    changes: list[Change]
    edits: list[Edit]

    @property
    def empty(self) -> bool:
        return not self.changes and not self.edits

    @property
    def decisions(self) -> list[Decision]:
        out = [d for c in self.changes for d in c.decisions]
        out += [
            Decision("inventory_edit", e.text, _EDIT_ASK, e.who, f"item:{e.item}" if e.item else "")
            for e in self.edits
            if e.widens
        ]
        return out

    @property
    def needs_decision(self) -> bool:
        return bool(self.decisions)


_EDIT_ASK = "confirm it is intended, and that the privacy notice and the contracts cover it"

_Key = tuple[str, str, str]  # item key, action, destination
_Uses = dict[_Key, tuple[dict[str, Any], list[dict[str, Any]]]]


def _item_key(entry: dict[str, Any]) -> str:
    return f"item:{entry['id']}" if entry["id"] else f"category:{entry['category']}"


def _uses(document: dict[str, Any]) -> _Uses:
    out: _Uses = {}
    for entry in document["items"]:
        for action in ACTION_ORDER:
            for use in entry.get(action, []):
                key = (_item_key(entry), action, use.get("to", use["via"]))
                out.setdefault(key, (entry, []))[1].append(use)
    return out


def _codes(uses: list[dict[str, Any]]) -> set[str]:
    return {c for u in uses for c in u.get("findings", []) if c.startswith("MIN5")}


def _owner(entry: dict[str, Any], document: dict[str, Any]) -> str:
    owner = entry.get("owner") or document.get("system", {}).get("owner", "")
    return f"data owner ({owner})" if owner else "data owner"


def _identity(key: _Key, uses: list[dict[str, Any]]) -> tuple[str, str, frozenset[str]]:
    """What makes two uses the same code doing the same thing: action, sink and host."""
    return (key[1], uses[0]["via"], frozenset(u.get("host", "") for u in uses))


def _decisions(
    entry: dict[str, Any],
    action: str,
    uses: list[dict[str, Any]],
    head: dict[str, Any],
    base_places: set[str],
    key_new: bool,
) -> list[Decision]:
    """What a person must decide about a use the base did not have; ``key_new``: its destination is new."""
    label, place = entry["label"], uses[0]["place"]
    what = f"{label} is {phrase(action, place)}"
    owner = _owner(entry, head)
    codes = _codes(uses)
    item = _item_key(entry)
    out: list[Decision] = []
    if not entry["declared"]:
        out.append(
            Decision(
                "new_data",
                f"New personal data: {what}, and it is not in the data inventory",
                "declare it with a purpose, a lawful basis and a retention, or stop it",
                f"{PRIVACY_LEAD} and {owner}",
                item,
            )
        )
    elif "MIN502" in codes or "MIN503" in codes:
        out.append(Decision("not_allowed", f"{what}, which the data inventory does not allow", _ASK_ALLOW, owner, item))
    if "MIN504" in codes:
        out.append(
            Decision(
                "unprotected",
                f"{label} is {phrase(action, place)} without encryption",
                "encrypt, hash or tokenise it, or confirm the storage is encrypted at rest",
                f"{owner} and {SECURITY_LEAD}",
                item,
            )
        )
    if action == "share" and (place not in base_places or (generic_share_words(place) and key_new)):
        out.append(
            Decision(
                "new_recipient",
                f"New recipient: {place} receives {label}",
                "confirm the contract (DPA), where it processes the data and the privacy notice",
                PRIVACY_LEAD,
                item,
            )
        )
    return out


def compare(
    base: dict[str, Any],
    head: dict[str, Any],
    base_name: str,
    base_inventory: Inventory | None,
    head_inventory: Inventory | None,
    knowledge: Knowledge,
) -> InventoryDiff:
    before, after = _uses(base), _uses(head)
    base_places = {u["place"] for k, (_, uses) in before.items() if k[1] == "share" for u in uses}
    base_destinations = {k[2] for k in before if k[1] == "share"}
    added = [k for k in sorted(after) if k not in before]
    removed = [k for k in sorted(before) if k not in after]
    changes: list[Change] = []

    def change(kind: str, key: _Key, side: _Uses, decisions: list[Decision], was: str = "") -> Change:
        entry, uses = side[key]
        return Change(
            kind,
            key[1],
            key[0],
            entry["label"],
            entry["category"],
            key[2],
            uses[0]["via"],
            uses[0]["place"],
            decisions,
            sorted(uses, key=_evidence_key),
            was,
        )

    for key in added:
        entry, uses = after[key]
        symbols = {u["symbol"] for u in uses}
        twin = next(
            (
                k
                for k in removed
                if _identity(k, before[k][1]) == _identity(key, uses) and symbols & {u["symbol"] for u in before[k][1]}
            ),
            None,
        )
        decisions = _decisions(entry, key[1], uses, head, base_places, key[2] not in base_destinations)
        if twin is None:
            changes.append(change("new", key, after, decisions))
            continue
        removed.remove(twin)
        was_declared = before[twin][0]["declared"]
        kind = "moved" if was_declared else "now_declared"
        # The same code doing the same thing: only what the inventory now says can need a decision.
        kept = [d for d in decisions if d.kind != "new_recipient"]
        changes.append(change(kind, key, after, kept, twin[0]))
    for key in removed:
        changes.append(change("stopped", key, before, []))
    for key in sorted(set(after) & set(before)):
        entry, uses = after[key]
        if _codes(uses) - _codes(before[key][1]):
            decisions = [
                Decision(
                    "no_longer_allowed",
                    f"{entry['label']} is still {phrase(key[1], uses[0]['place'])}, which the data inventory"
                    " no longer allows",
                    _ASK_ALLOW,
                    _owner(entry, head),
                    key[0],
                )
            ]
            changes.append(change("now_disallowed", key, after, decisions))
    changes.sort(
        key=lambda c: (
            not c.decisions,
            CHANGE_ORDER[c.change],
            c.data.lower(),
            ACTION_ORDER[c.action],
            c.destination,
        )
    )
    return InventoryDiff(base_name, changes, inventory_edits(base_inventory, head_inventory, knowledge))


def _evidence_key(use: dict[str, Any]) -> tuple[str, str]:
    return (use.get("at", ""), use.get("symbol", ""))
