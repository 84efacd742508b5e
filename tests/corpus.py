"""Scoring the analyser against the labelled corpus in tests/fixtures/corpus/."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "corpus"

Key = tuple[str, int, str, str]  # path, line, action, category


@dataclass
class Score:
    expected: set[Key] = field(default_factory=set)
    found: set[Key] = field(default_factory=set)
    protections: dict[Key, str] = field(default_factory=dict)
    found_protections: dict[Key, str] = field(default_factory=dict)

    @property
    def true_positives(self) -> set[Key]:
        return self.expected & self.found

    @property
    def false_positives(self) -> set[Key]:
        return self.found - self.expected

    @property
    def false_negatives(self) -> set[Key]:
        return self.expected - self.found

    @property
    def precision(self) -> float:
        return len(self.true_positives) / len(self.found) if self.found else 1.0

    @property
    def recall(self) -> float:
        return len(self.true_positives) / len(self.expected) if self.expected else 1.0

    @property
    def protection_mismatches(self) -> list[tuple[Key, str, str]]:
        return sorted(
            (key, want, self.found_protections.get(key, "none"))
            for key, want in self.protections.items()
            if key in self.found and self.found_protections.get(key, "none") != want
        )


def expectations(root: Path = CORPUS) -> tuple[set[Key], dict[Key, str]]:
    from annotations import expected_points

    expected: set[Key] = set()
    protections: dict[Key, str] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        try:
            points = expected_points(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"{rel}: {exc}") from None
        for line, action, category, protection in points:
            key = (rel, line, action, category)
            expected.add(key)
            if protection:
                protections[key] = protection
    return expected, protections


def score(root: Path = CORPUS, prefilter: bool = True) -> Score:
    from minimise.engine import EngineOptions
    from minimise.scan import ScanOptions, scan

    report = scan(ScanOptions(paths=[root], root=root, engine=EngineOptions(prefilter=prefilter), jobs=1))
    result = Score()
    result.expected, result.protections = expectations(root)
    for point in report.data_points:
        key = (point.path, point.line, point.action, point.category)
        result.found.add(key)
        result.found_protections[key] = point.protection
    return result


if __name__ == "__main__":
    s = score()
    for key in sorted(s.false_negatives):
        print("MISS", *key)
    for key in sorted(s.false_positives):
        print("FP  ", *key)
    for key, want, got in s.protection_mismatches:
        print("PROT", *key, "want", want, "got", got)
    print(f"precision {s.precision:.3f} recall {s.recall:.3f} expected {len(s.expected)} found {len(s.found)}")
