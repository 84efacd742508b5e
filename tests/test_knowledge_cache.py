"""The loaded rules are kept signed in the user's cache folder and rebuilt whenever an input changes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from minimise.knowledge import load as knowledge_load
from minimise.knowledge.compiled import FOLDER, cached_knowledge, use_rules_cache
from minimise.knowledge.records import Knowledge


@pytest.fixture
def user_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    use_rules_cache(True)  # an earlier in-process scan may have run with --no-cache
    return tmp_path / "xdg" / "minimise" / FOLDER


def _counting() -> tuple[list[int], Callable[[], Knowledge]]:
    builds: list[int] = []

    def build() -> Knowledge:
        builds.append(1)
        return knowledge_load.build_knowledge(knowledge_load.shipped_documents(), [], ())

    return builds, build


def test_second_load_comes_from_the_cache(user_cache: Path) -> None:
    builds, build = _counting()
    first = cached_knowledge(build, (), ())
    second = cached_knowledge(build, (), ())
    assert len(builds) == 1
    assert len(list(user_cache.iterdir())) == 1
    assert second is not first
    assert second.fingerprint == first.fingerprint
    assert [r.category for r in second.classifier.rules] == [r.category for r in first.classifier.rules]


def test_a_tampered_entry_is_not_unpickled(user_cache: Path) -> None:
    builds, build = _counting()
    cached_knowledge(build, (), ())
    (entry,) = user_cache.iterdir()
    signature, _, payload = entry.read_text().partition("\n")
    entry.write_text(("0" * len(signature)) + "\n" + payload)
    cached_knowledge(build, (), ())
    assert len(builds) == 2


def test_a_changed_team_rule_file_or_word_list_is_a_new_entry(user_cache: Path, tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text("non_personal: [widget]\n")
    builds, build = _counting()
    cached_knowledge(build, (str(team),), ())
    team.write_text("non_personal: [gadget]\n")
    cached_knowledge(build, (str(team),), ())
    cached_knowledge(build, (str(team),), ("sprocket",))
    cached_knowledge(build, (str(team),), ("sprocket",))
    assert len(builds) == 3
    assert len(list(user_cache.iterdir())) == 3


def test_a_missing_team_file_is_left_to_the_usual_loading(user_cache: Path, tmp_path: Path) -> None:
    builds, build = _counting()
    cached_knowledge(build, (str(tmp_path / "missing.yaml"),), ())
    assert len(builds) == 1
    assert not user_cache.exists()


def test_a_device_as_team_file_is_never_read_for_the_key(user_cache: Path) -> None:
    builds, build = _counting()
    cached_knowledge(build, ("/dev/zero",), ())  # would never end if read whole
    assert len(builds) == 1
    assert not user_cache.exists()


def test_literal_rules_come_from_the_cache_too(user_cache: Path) -> None:
    from minimise.knowledge.compiled import cached_rules
    from minimise.literal_rules import LiteralRules, _read_literal_rules

    builds: list[int] = []

    def build() -> LiteralRules:
        builds.append(1)
        return _read_literal_rules()

    first = cached_rules("literals", build, LiteralRules)
    second = cached_rules("literals", build, LiteralRules)
    assert len(builds) == 1
    assert second == first and second is not first
    (stored,) = user_cache.iterdir()
    assert stored.name.startswith("literals-")
    # A tampered entry is not used: the rules are read again.
    stored.write_text("0" * 64 + "\n" + stored.read_text().partition("\n")[2])
    assert cached_rules("literals", build, LiteralRules) == first
    assert len(builds) == 2


def test_cached_patterns_compile_on_first_use_and_match_like_the_originals(user_cache: Path) -> None:
    import re

    from minimise.knowledge.compiled import LazyPattern

    builds, build = _counting()
    built = cached_knowledge(build, (), ())
    cached = cached_knowledge(build, (), ())
    pairs = [
        (a.functions, b.functions) for a, b in zip(built.sinks, cached.sinks, strict=True) if a.functions is not None
    ]
    assert len(pairs) > 20
    assert all(isinstance(a, re.Pattern) and isinstance(b, LazyPattern) for a, b in pairs)
    assert all(a == b and a.pattern == b.pattern for a, b in pairs)
    names = ["print", "click.echo", "sys.stderr.write", "structlog.contextvars.bind_contextvars", "os.path.join", "x"]
    assert sum(bool(original.match(n)) for original, _ in pairs for n in names) >= 3
    for original, lazy in pairs:
        assert [bool(original.match(n)) for n in names] == [bool(lazy.match(n)) for n in names]
        assert [bool(original.fullmatch(n)) for n in names] == [bool(lazy.fullmatch(n)) for n in names]


def test_inventory_checks_come_from_the_cache_as_read(user_cache: Path) -> None:
    from minimise.inventory.reconcile import _read_inventory_checks, inventory_checks

    inventory_checks.cache_clear()
    try:
        first = inventory_checks()
        inventory_checks.cache_clear()
        second = inventory_checks()
    finally:
        inventory_checks.cache_clear()
    assert [p.name.split("-")[0] for p in user_cache.iterdir()] == ["inventory"]
    assert first == second == _read_inventory_checks()
    assert second is not first and sorted(second) == sorted(first) and len(first) >= 5
