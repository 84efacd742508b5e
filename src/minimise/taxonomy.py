"""The fideslang vocabulary of data categories, uses and subjects shipped with minimise."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path


@dataclass(frozen=True, slots=True)
class TaxonomyEntry:
    key: str
    name: str
    parent: str | None
    description: str
    deprecated: str | None
    replaced_by: str | None


@dataclass(frozen=True)
class Taxonomy:
    """Fideslang default taxonomy by Ethyca, Inc., CC BY 4.0 (see data/taxonomy/ATTRIBUTION.md)."""

    categories: dict[str, TaxonomyEntry]
    uses: dict[str, TaxonomyEntry]
    subjects: dict[str, TaxonomyEntry]

    def suggest(self, key: str, kind: str = "categories") -> str:
        """A ' (did you mean ...?)' hint for an unknown key, or ''."""
        pool = getattr(self, kind)
        close = difflib.get_close_matches(key, list(pool), n=1, cutoff=0.6)
        return f" (did you mean {close[0]!r}?)" if close else ""

    def label(self, category: str) -> str:
        entry = self.categories.get(category)
        return entry.name if entry else category

    @staticmethod
    def covers(parent: str, child: str) -> bool:
        """A declared parent key covers every key below it (``user.contact`` covers the email)."""
        return child == parent or child.startswith(parent + ".")


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    path = Path(__file__).parent / "data" / "taxonomy" / "fideslang.json"
    raw = json.loads(path.read_text(encoding="utf-8"))

    def table(kind: str) -> dict[str, TaxonomyEntry]:
        return {
            e["key"]: TaxonomyEntry(
                e["key"],
                e["name"],
                e.get("parent"),
                e.get("description") or "",
                e.get("deprecated"),
                e.get("replaced_by"),
            )
            for e in raw[kind]
        }

    return Taxonomy(table("data_categories"), table("data_uses"), table("data_subjects"))
