"""Edits to the declared inventory between two revisions, in plain words, widening ones marked.

An edit widens what is allowed when it lets the code do more with personal data than before:
a new `log: true`, a new recipient or store in `allow`, a longer or removed retention, a new
purpose, weaker encryption, a lower sensitivity, a wider `defaults`, a new `non_personal`
name, a newly declared recipient or a recipient in a new country. Those need a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from minimise.inventory.plain import duration_days, purpose_label, retention_words, safeguard_label, vendor_of
from minimise.model import SENSITIVITIES

if TYPE_CHECKING:
    from minimise.inventory.schema import Inventory, Item, Recipient, Retention
    from minimise.knowledge import Knowledge

PRIVACY_LEAD = "privacy lead"
_ENCRYPTION_ORDER = ("none", "recommended", "required")
_VERB = {"collect": "collected", "store": "stored", "log": "written to logs", "share": "shared"}
_ANYWHERE = {
    "collect": "collected anywhere",
    "store": "stored anywhere",
    "log": "written to logs",
    "share": "sent to any recipient",
}


@dataclass(frozen=True)
class Edit:
    """One edit to data-inventory.yaml."""

    text: str
    widens: bool = False
    who: str = ""
    item: str = ""  # item id, "" for edits outside items

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "widens": self.widens, "who": self.who, "item": self.item or None}


def owner_words(item: Item | None, inventory: Inventory | None) -> str:
    owner = (item.owner if item is not None else "") or (inventory.system.owner if inventory is not None else "")
    return f"data owner ({owner})" if owner else "data owner"


class _Differ:
    def __init__(self, old: Inventory | None, new: Inventory | None, knowledge: Knowledge) -> None:
        self.old, self.new, self.knowledge = old, new, knowledge
        self.edits: list[Edit] = []

    def recipient_name(self, name: str, inventory: Inventory | None) -> str:
        recipient = inventory.recipients.get(name) if inventory is not None else None
        return (recipient.vendor if recipient is not None else "") or vendor_of(name, self.knowledge) or name

    def add(self, text: str, widens: bool, item: Item | None = None) -> None:
        who = ""
        if widens:
            who = f"{PRIVACY_LEAD} and {owner_words(item, self.new)}" if item is not None else PRIVACY_LEAD
        self.edits.append(Edit(text, widens, who, item.id if item is not None else ""))

    # ---------------------------------------------------------------- allow
    def allow(
        self,
        label: str,
        before: dict[str, Any],
        after: dict[str, Any],
        item: Item | None,
        actions: tuple[str, ...] = ("collect", "store", "log", "share"),
    ) -> None:
        for action in actions:
            a, b = before.get(action, False), after.get(action, False)
            if a == b:
                continue
            verb = _VERB[action]
            if b is True:
                self.add(f"{label} may now be {_ANYWHERE[action]}", True, item)
            elif not b:
                self.add(f"{label} may no longer be {verb}", False, item)
            elif a is True:
                self.add(f"{label} may now be {verb} only in: {self.places(action, b)}", False, item)
            else:
                gained = [n for n in b if n not in (a or ())]
                lost = [n for n in (a or ()) if n not in b]
                if gained:
                    where = "sent to" if action == "share" else f"{verb} in"
                    self.add(f"{label} may now be {where} {self.places(action, gained)}", True, item)
                if lost:
                    self.add(f"{label} may no longer be {verb} in {self.places(action, lost)}", False, item)

    def places(self, action: str, names: Any) -> str:
        if action == "share":
            return ", ".join(self.recipient_name(n, self.new or self.old) for n in names)
        return ", ".join(names)

    # ---------------------------------------------------------------- items
    def item(self, a: Item, b: Item) -> None:
        label = b.label
        self.allow(label, a.allow, b.allow, b)
        gained = [p for p in b.purposes if p not in a.purposes]
        lost = [p for p in a.purposes if p not in b.purposes]
        if gained:
            names = ", ".join(purpose_label(p, self.knowledge) for p in gained)
            self.add(f"{label} has a new purpose: {names}", True, b)
        if lost:
            names = ", ".join(purpose_label(p, self.knowledge) for p in lost)
            self.add(f"{label} is no longer used for: {names}", False, b)
        self.retention(label, a.retention, b.retention, b)
        if a.lawful_basis != b.lawful_basis:
            self.add(
                f"{label}: lawful basis changed from {a.lawful_basis or 'none'} to {b.lawful_basis or 'none'}",
                bool(a.lawful_basis),
                b,
            )
        if a.encryption != b.encryption:
            weaker = _ENCRYPTION_ORDER.index(b.encryption) < _ENCRYPTION_ORDER.index(a.encryption)
            self.add(f"{label}: encryption changed from {a.encryption} to {b.encryption}", weaker, b)
        if a.sensitivity != b.sensitivity:
            lower = SENSITIVITIES.index(b.sensitivity) < SENSITIVITIES.index(a.sensitivity)
            self.add(f"{label}: sensitivity changed from {a.sensitivity} to {b.sensitivity}", lower, b)
        if a.paths and a.paths != b.paths:
            self.add(f"{label} may now appear in other parts of the code", True, b)
        for name in ("label", "owner", "category"):
            va, vb = getattr(a, name), getattr(b, name)
            if va != vb:
                self.add(f"{label}: {name} changed from {va or 'none'} to {vb or 'none'}", False, b)

    def retention(self, label: str, a: Retention | None, b: Retention | None, item: Item) -> None:
        def words(r: Retention | None) -> str:
            return retention_words(r.period, r.after, r.until) if r is not None else "none"

        if words(a) == words(b):
            return
        if b is None:
            self.add(f"{label}: retention removed (was {words(a)})", True, item)
            return
        if a is None:
            self.add(f"{label}: retention set to {words(b)}", False, item)
            return
        da, db = duration_days(a.period), duration_days(b.period)
        if a.until or b.until or da is None or db is None:
            longer = True  # not comparable by length: a person checks
        elif db != da:
            longer = db > da
        else:
            longer = a.after != b.after  # as long, but from another event
        text = (
            f"{label} is kept longer: {words(a)} → {words(b)}"
            if longer
            else (f"{label}: retention changed from {words(a)} to {words(b)}")
        )
        self.add(text, longer, item)

    # ---------------------------------------------------------------- whole file
    def run(self) -> list[Edit]:
        old_items = {i.id: i for i in self.old.items} if self.old is not None else {}
        new_items = {i.id: i for i in self.new.items} if self.new is not None else {}
        for item_id in [i for i in new_items if i not in old_items]:
            item = new_items[item_id]
            self.add(f"{item.label} was added to the inventory", False, item)
            # Declaring data documents its collection and storage; allowing logs or recipients is a choice.
            self.allow(item.label, {}, item.allow, item, ("log", "share"))
        for item_id in [i for i in old_items if i not in new_items]:
            self.add(f"{old_items[item_id].label} was removed from the inventory", False)
        for item_id in [i for i in new_items if i in old_items]:
            self.item(old_items[item_id], new_items[item_id])
        self.recipients()
        self.stores()
        self.defaults()
        return sorted(self.edits, key=lambda e: not e.widens)

    def recipients(self) -> None:
        old = self.old.recipients if self.old is not None else {}
        new = self.new.recipients if self.new is not None else {}
        for name, r in new.items():
            shown = self.recipient_name(name, self.new)
            if name not in old:
                self.add(f"New recipient declared: {shown}{_where(r)}", True)
                continue
            before = old[name]
            gained = [c for c in r.countries if c not in before.countries]
            if gained:
                self.add(f"{shown} now processes data in {', '.join(gained)}", True)
            if before.transfer != r.transfer:
                self.add(
                    f"{shown}: transfer safeguard changed from {safeguard_label(before.transfer) or 'none'}"
                    f" to {safeguard_label(r.transfer) or 'none'}",
                    bool(before.transfer),
                )
            if before.purpose != r.purpose:
                used_for = purpose_label(r.purpose, self.knowledge) if r.purpose else "any purpose"
                self.add(f"{shown} is now used for {used_for}", True)
        for name in old:
            if name not in new:
                self.add(f"Recipient removed: {self.recipient_name(name, self.old)}", False)

    def stores(self) -> None:
        old = self.old.stores if self.old is not None else {}
        new = self.new.stores if self.new is not None else {}
        for name, s in new.items():
            if name not in old:
                self.add(f"New store declared: {name} ({s.kind})", False)
            elif old[name].encrypted_at_rest != s.encrypted_at_rest:
                state = "encrypted at rest" if s.encrypted_at_rest else "no longer encrypted at rest"
                self.add(f"Store {name} is now {state}", s.encrypted_at_rest)
        for name in old:
            if name not in new:
                self.add(f"Store removed: {name}", False)

    def defaults(self) -> None:
        old_defaults = self.old.defaults if self.old is not None else None
        new_defaults = self.new.defaults if self.new is not None else None
        a = old_defaults.log_allowed_up_to if old_defaults else ""
        b = new_defaults.log_allowed_up_to if new_defaults else ""
        if a != b:
            wider = bool(b) and (not a or SENSITIVITIES.index(b) > SENSITIVITIES.index(a))
            self.add(
                f"Data up to {b or 'no'} sensitivity may be written to logs without asking (was {a or 'none'})", wider
            )
        # defaults.allow is merged into every item, so its edits show on the items.
        old_np = (
            {(n.name, n.pattern.pattern if n.pattern else "") for n in self.old.non_personal} if self.old else set()
        )
        for entry in self.new.non_personal if self.new else []:
            key = (entry.name, entry.pattern.pattern if entry.pattern else "")
            if key not in old_np:
                shown = entry.name or f"names matching {key[1]}"
                self.add(f"{shown} is now treated as not personal data ({entry.reason})", True)


def _where(recipient: Recipient) -> str:
    if not recipient.countries:
        return " (country not declared)"
    return f" ({', '.join(recipient.countries)})"


def inventory_edits(old: Inventory | None, new: Inventory | None, knowledge: Knowledge) -> list[Edit]:
    """Every edit between two versions of the inventory; the widening ones first."""
    return _Differ(old, new, knowledge).run()
