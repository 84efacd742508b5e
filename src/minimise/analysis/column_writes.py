"""A model field's protection judged from the writes the project makes to it, not from its declaration alone."""

from __future__ import annotations

from dataclasses import replace

from minimise.analysis.summary import ModuleSummary
from minimise.model import DataPoint

_PLAIN = "none"


def protect_by_writes(points: list[DataPoint], summaries: list[ModuleSummary]) -> list[DataPoint]:
    """Each plain field declaration whose every write seen in the project is protected takes that protection.

    ``password = db.Column(db.String)`` says nothing of what is put there; when the project writes
    ``Project.password`` only through a hashing call (``generate_password_hash``), the column holds
    hashes. A field with no write seen, or with one plain write, keeps its declaration's verdict.
    """
    writes: dict[tuple[str, str], list[DataPoint]] = {}
    for point in points:
        if point.action == "store" and "." in point.identifier:
            writes.setdefault((point.identifier, point.category), []).append(point)
    if not writes:
        return points
    declarations: dict[tuple[str, int], str] = {}
    for summary in summaries:
        for name, cls in summary.classes.items():
            if cls.store is None:
                continue
            short = name.rsplit(".", 1)[-1]
            for field, line in cls.lines.items():
                if field and line:
                    declarations[(summary.path, line)] = f"{short}.{field}"
    changed: list[DataPoint] = []
    for point in points:
        owner_field = declarations.get((point.path, point.line)) if point.action == "store" else None
        seen = writes.get((owner_field, point.category), []) if owner_field and point.protection == _PLAIN else []
        if seen and all(w.protection != _PLAIN for w in seen):
            protection = sorted({w.protection for w in seen})[0]
            where = ", ".join(f"{w.path}:{w.line}" for w in sorted(seen, key=DataPoint.sort_key)[:3])
            step = f"protection {protection}: every write of {owner_field} the project makes is {protection} ({where})"
            point = replace(point, protection=protection, trace=(*point.trace, step))
        changed.append(point)
    return changed
