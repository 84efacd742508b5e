"""Retention: inventory items with a retention period, and the purge jobs (date-filtered deletes) that enforce it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from minimise.analysis.erasure import models_by_qname
from minimise.analysis.summary import ModuleSummary
from minimise.inventory.schema import Inventory
from minimise.knowledge import Knowledge
from minimise.model import Finding, Step


@dataclass
class RetentionEntry:
    item: str
    retention: str
    line: int
    models: list[str]
    purged_by: list[Step]
    unpurged: list[str]  # models holding the item that no purge job deletes by date

    def to_json(self) -> dict[str, object]:
        return {
            "item": self.item,
            "retention": self.retention,
            "line": self.line,
            "models": self.models,
            "purged_by": [{"path": s.path, "line": s.line, "message": s.message} for s in self.purged_by],
            "unpurged": self.unpurged,
        }


def _covers(declared: str, category: str) -> bool:
    return category == declared or category.startswith(declared + ".")


def retention_entries(summaries: Iterable[ModuleSummary], inventory: Inventory) -> list[RetentionEntry]:
    """Each item with a retention period and stored in models: the purge jobs that delete those models by date."""
    summaries = list(summaries)
    models, model_of = models_by_qname(summaries)
    purges: dict[str, list[Step]] = {}
    for summary in summaries:
        for key, function in summary.functions.items():
            for receiver, line in function.erasure.purges if function.erasure else ():
                model = model_of(receiver)
                if model is not None:
                    step = Step(summary.path, line, f"rows deleted by date in {summary.module}.{key}")
                    purges.setdefault(model, []).append(step)
    found = []
    for item in inventory.items:
        if item.retention is None or not item.retention.period or item.retention.period in ("P0D", "PT0S"):
            continue
        stored = sorted(
            qname
            for qname, info in models.items()
            if any(_covers(c, category) for category in info.fields.values() for c in item.categories)
        )
        if not stored:
            continue
        steps = [s for qname in stored for s in purges.get(qname, [])]
        unpurged = [q for q in stored if q not in purges]
        found.append(RetentionEntry(item.id, item.retention.describe(), item.at.line, stored, steps, unpurged))
    return found


def retention_findings(entries: Iterable[RetentionEntry], inventory: Inventory, knowledge: Knowledge) -> list[Finding]:
    """MIN602 (note) at the inventory item when no purge job deletes its models by date."""
    check = knowledge.checks.get("MIN602")
    if check is None:
        return []
    found = []
    for entry in entries:
        if not entry.unpurged:
            continue
        names = ", ".join(m.rsplit(".", 1)[-1] for m in entry.unpurged)
        text = "\0".join(("MIN602", inventory.path, entry.item))
        found.append(
            Finding(
                code="MIN602",
                name=check.name,
                severity=check.severity,
                path=inventory.path,
                line=entry.line,
                column=1,
                category="",
                action="store",
                message=f"`{entry.item}` is kept {entry.retention}, but no purge job deletes {names} by date",
                fingerprint=hashlib.sha256(text.encode()).hexdigest()[:20],
                identifier=entry.item,
            )
        )
    return found
