"""Scoring the analyser against the labelled corpus in tests/fixtures/corpus/."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
_EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
_ITEM = re.compile(r"^(collect|store|log|share)\s+([a-z_.]+)(?:\s*\[(\w+)\])?$")

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
    expected: set[Key] = set()
    protections: dict[Key, str] = {}
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            match = _EXPECT.search(line)
            if not match:
                continue
            for item in match.group(1).split(","):
                parsed = _ITEM.match(item.strip())
                if parsed is None:
                    raise ValueError(f"{rel}:{number}: bad expectation {item!r}")
                key = (rel, number, parsed.group(1), parsed.group(2))
                expected.add(key)
                if parsed.group(3):
                    protections[key] = parsed.group(3)
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
