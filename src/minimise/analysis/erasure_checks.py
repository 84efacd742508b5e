"""MIN601 and MIN602 as a project check: what `scan` and `minimise inventory erasure` call with every summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from minimise.analysis.erasure import ErasureMap, build_map, erasure_findings
from minimise.analysis.retention import RetentionEntry, retention_entries, retention_findings
from minimise.analysis.summary import ModuleSummary
from minimise.inventory.schema import Inventory
from minimise.knowledge import Knowledge
from minimise.model import DataPoint, Finding


@dataclass
class ErasureChecks:
    """Pass as ``ScanOptions.project_checks``; after the scan, ``map`` and ``retention`` hold what was found."""

    knowledge: Knowledge
    declared: tuple[str, ...] = ()
    inventory: Inventory | None = None
    map: ErasureMap = field(default_factory=ErasureMap)
    retention: list[RetentionEntry] = field(default_factory=list)

    def __call__(self, summaries: list[ModuleSummary], points: list[DataPoint]) -> list[Finding]:
        self.map = build_map(summaries, points, self.knowledge, self.declared)
        found = erasure_findings(self.map, self.knowledge)
        if self.inventory is not None:
            self.retention = retention_entries(summaries, self.inventory)
            found += retention_findings(self.retention, self.inventory, self.knowledge)
        return found
