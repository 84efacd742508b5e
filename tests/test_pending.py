"""Labelled patterns the rules cannot express yet (tests/fixtures/pending/): pinned as missed, exactly."""

from __future__ import annotations

from pathlib import Path

from corpus import score

PENDING = Path(__file__).parent / "fixtures" / "pending"


def test_pending_patterns_are_missed_and_nothing_else_is_found() -> None:
    result = score(PENDING)
    assert len(result.expected) == 18
    assert result.found == set(), (
        "a pending pattern is found now: move its file into tests/fixtures/corpus/ "
        f"and drop it from tests/fixtures/pending/ ({sorted(result.found)})"
    )
