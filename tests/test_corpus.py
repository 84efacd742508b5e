"""The analyser against the labelled corpora: exact disagreements, as a ratchet.

Every miss and every spurious point is listed here. A change that adds a miss or a false positive
fails; a change that fixes one fails too, until its entry is removed, so the lists only shrink.
"""

from __future__ import annotations

from pathlib import Path

from corpus import CORPUS, score

HOLDOUT = CORPUS.parent / "holdout"
WRITES = CORPUS / "writes"

CORPUS_MISSES = {
    ("logging/stdlib_basic.py", 30, "log", "user.demographic.age_range"),
    ("storage/redis_store.py", 62, "store", "user.device.ip_address"),
}
CORPUS_SPURIOUS = {
    ("misc/named_things.py", 11, "store", "user.name"),  # a display name says nothing of whose it is
}
HOLDOUT_MISSES = {
    ("h09_error_tracking.py", 64, "share", "user.name"),
    ("h10_session_cache.py", 61, "store", "user.contact.address.state"),
    ("h26_auth_tokens.py", 22, "store", "user.authorization.credentials"),
}
HOLDOUT_SPURIOUS = {
    ("h27_fhir_client.py", 73, "share", "user.name"),  # an insurer's display name next to a patient's data
}


def _check(root: Path, minimum_expected: int, misses: set, spurious: set) -> None:
    result = score(root)
    assert len(result.expected) >= minimum_expected
    assert result.false_negatives == misses
    assert result.false_positives == spurious


def test_corpus_disagreements_are_exactly_the_known_ones() -> None:
    _check(CORPUS, 720, CORPUS_MISSES, CORPUS_SPURIOUS)


def test_protection_is_reported_for_protected_storage() -> None:
    result = score()
    assert result.protections, "the corpus labels protected storage"
    assert not result.protection_mismatches


def test_prefilter_never_drops_a_data_point() -> None:
    with_filter = score(prefilter=True)
    without = score(prefilter=False)
    assert with_filter.found == without.found


def test_second_corpus_disagreements_are_exactly_the_known_ones() -> None:
    """A second corpus, written apart from the rules and the first corpus, in other apps' styles."""
    _check(HOLDOUT, 370, HOLDOUT_MISSES, HOLDOUT_SPURIOUS)


def test_runtime_writes_and_form_reads_are_scored_exactly() -> None:
    _check(WRITES, 35, set(), set())
