"""Property tests: generated programs, random bytes and mutated fixtures never raise, and results
do not depend on the job count or the cache."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from minimise.discover import Target
from minimise.engine import EngineOptions, analyse_bytes, run_files
from minimise.redact import redact_text

hypothesmith = pytest.importorskip("hypothesmith")

CORPUS = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "corpus").rglob("*.py"))
OPTIONS = EngineOptions()
FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def knowledge():
    return OPTIONS.knowledge()


@FUZZ
@given(source=hypothesmith.from_grammar())
def test_generated_programs_analyse_without_exceptions(source: str) -> None:
    # CPython accepts a few programs libcst's parser does not (a lone line continuation):
    # those must come back as a one-line parse error, never as an exception.
    result = analyse_bytes(source.encode("utf-8", "surrogatepass"), "gen.py", OPTIONS, OPTIONS.knowledge(), None)
    assert result.error is None or "\n" not in result.error.message


@FUZZ
@given(data=st.binary(max_size=2000))
def test_random_bytes_never_raise(data: bytes) -> None:
    result = analyse_bytes(data, "r.py", OPTIONS, OPTIONS.knowledge(), None)
    assert result.error is None or "\n" not in result.error.message


@FUZZ
@given(seed=st.integers(0, 2**32 - 1), edits=st.integers(1, 8))
def test_mutated_fixtures_never_raise(seed: int, edits: int) -> None:
    rng = random.Random(seed)
    raw = bytearray(rng.choice(CORPUS).read_bytes())
    for _ in range(edits):
        where = rng.randrange(len(raw) + 1)
        action = rng.randrange(4)
        if action == 0 and raw:
            del raw[where : where + rng.randrange(1, 20)]
        elif action == 1:
            raw[where:where] = bytes([rng.randrange(256)]) * rng.randrange(1, 4)
        elif action == 2:
            raw[where:where] = rng.choice([b"(", b"[", b"{", b")", b":", b"\n    ", b"'", b'"""', b"\\", b"\t", b"\r"])
        else:
            piece = bytes(raw[rng.randrange(len(raw) + 1) :][:200])
            raw[where:where] = piece
    result = analyse_bytes(bytes(raw), "m.py", OPTIONS, OPTIONS.knowledge(), None)
    assert result.error is None or "\n" not in result.error.message


def _key(results):
    # Cached entries keep no explain traces (they quote code) and mask quoted text.
    return [
        (
            r.path,
            tuple(replace(p, trace=()) for p in r.data_points),
            r.error and replace(r.error, message=redact_text(r.error.message)),
            tuple((line, codes, redact_text(reason)) for line, codes, reason in r.suppressions),
        )
        for r in results
    ]


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(sources=st.lists(hypothesmith.from_grammar(), min_size=2, max_size=9))
def test_results_independent_of_jobs_and_cache(tmp_path_factory, sources: list[str]) -> None:
    base = tmp_path_factory.mktemp("gen")
    corpus = [c.read_text(encoding="utf-8") for c in CORPUS[:6]]
    targets = []
    for i, text in enumerate(sources + corpus):
        path = base / f"m{i}.py"
        path.write_text(text, encoding="utf-8")
        targets.append(Target(path, path.name))
    one = _key(run_files(targets, OPTIONS, jobs=1))
    two = _key(run_files(targets, OPTIONS, jobs=2))
    cache = base / "cache"
    cold = _key(run_files(targets, OPTIONS, jobs=2, cache_dir=cache))
    warm = _key(run_files(targets, OPTIONS, jobs=1, cache_dir=cache))
    assert one == two == cold == warm


def _patterns(depth: int) -> st.SearchStrategy[str]:
    """Match patterns of every kind, nested up to ``depth`` levels."""
    leaf = st.sampled_from(["x", "_", "0", "'k'", "None", "str()", "[*rest]", "{**kw}"])
    if depth == 0:
        return leaf
    inner = _patterns(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, min_size=1, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(inner, min_size=1, max_size=3).map(lambda items: "(" + ", ".join(items) + ",)"),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "{" + ", ".join(f"'k{i}': v" for i, v in enumerate(items)) + "}"
        ),
        st.lists(inner, min_size=1, max_size=3).map(
            lambda items: "C(" + ", ".join(f"a{i}={v}" for i, v in enumerate(items)) + ")"
        ),
        st.lists(inner, min_size=2, max_size=3).map(lambda items: "(" + " | ".join(items) + ")"),
    )


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(pattern=_patterns(12))
def test_nested_match_patterns_finish_fast(pattern: str) -> None:
    """Any pattern either parses quickly or is refused by the pre-check before libcst sees it."""
    import time

    text = f"def f(v, user):\n    match v:\n        case {pattern}:\n            print(user.email)\n"
    started = time.monotonic()
    result = analyse_bytes(text.encode(), "m.py", OPTIONS, OPTIONS.knowledge(), None)
    assert time.monotonic() - started < 5.0
    if result.error is not None:
        assert (
            result.error.message.startswith("match pattern too deeply nested") or "cannot parse" in result.error.message
        )
    else:
        assert [(p.line, p.action) for p in result.data_points] == [(4, "log")]
