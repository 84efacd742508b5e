"""The analyser against the labelled corpus: precision and recall, and exact disagreements."""

from __future__ import annotations

from pathlib import Path

from corpus import CORPUS, score

HOLDOUT = CORPUS.parent / "holdout"


def _check(root: Path, minimum_expected: int) -> None:
    result = score(root)
    report = "\n".join(
        [f"missed {k}" for k in sorted(result.false_negatives)]
        + [f"spurious {k}" for k in sorted(result.false_positives)]
    )
    assert len(result.expected) >= minimum_expected
    assert result.precision >= 0.95, report
    assert result.recall >= 0.95, report


def test_precision_and_recall_on_corpus() -> None:
    _check(CORPUS, 400)


def test_protection_is_reported_for_protected_storage() -> None:
    result = score()
    assert result.protections, "the corpus labels protected storage"
    assert not result.protection_mismatches


def test_prefilter_never_drops_a_data_point() -> None:
    with_filter = score(prefilter=True)
    without = score(prefilter=False)
    assert with_filter.found == without.found


def test_precision_and_recall_on_second_corpus() -> None:
    """A second corpus, written apart from the rules and the first corpus, in other apps' styles."""
    _check(HOLDOUT, 300)
