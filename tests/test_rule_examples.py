"""Every rule entry carries annotated examples, each one runs, and each entry is needed by its own."""

from __future__ import annotations

import copy
import textwrap
from functools import lru_cache
from pathlib import Path

import pytest
from annotations import actual_points, expected_points

from minimise.knowledge import (
    RULE_FILES,
    Example,
    Knowledge,
    build_knowledge,
    load_knowledge,
    rules_dir,
    shipped_documents,
)

# The list sections whose entries detect something; deleting any one of them must fail a test.
ENTRY_SECTIONS = {
    "sinks.yaml": (("sinks", "id"), ("models", "id")),
    "sources.yaml": (("requests", "id"), ("schemas", "id"), ("input_functions", "function")),
    "sanitizers.yaml": (("sanitizers", "id"),),
}


def _points(code: str, knowledge: Knowledge) -> tuple[set[tuple[int, str, str, str]], set[tuple[int, str, str, str]]]:
    from minimise.engine import analyse_text

    expected = expected_points(code)
    protected = {line for line, _, _, prot in expected if prot}
    actual = {
        (p.line, p.action, p.category, p.protection if p.line in protected else "")
        for p in analyse_text(code, "example.py", knowledge)
    }
    return expected, actual


def _snippets() -> list[Example]:
    return load_knowledge().snippets


@pytest.mark.parametrize("example", _snippets(), ids=[f"{e.owner}:{e.key_path[-1]}" for e in _snippets()])
def test_rule_snippet(example: Example) -> None:
    expected, actual = _points(example.code, load_knowledge())
    assert actual == expected


def test_the_annotation_reader_agrees_with_the_product_runner() -> None:
    """tests/annotations.py and the knowledge package read the same dialect the same way."""
    example = next(e for e in _snippets() if e.owner.startswith("sinks:") and "# expect: share" in e.code)
    assert actual_points(example.code, set()) == _points(example.code, load_knowledge())[1]


def _entries() -> list[tuple[str, str, int, str]]:
    cases = []
    for name, sections in ENTRY_SECTIONS.items():
        data = shipped_documents()[name].data
        for section, key in sections:
            for index, entry in enumerate(data.get(section) or []):
                cases.append((name, section, index, str(entry.get(key, entry.get("protection")))))
    return cases


@lru_cache(maxsize=1)
def _shipped() -> dict:  # type: ignore[type-arg]
    return shipped_documents()


@pytest.mark.parametrize(
    ("name", "section", "index", "entry_id"), _entries(), ids=[f"{c[1]}:{c[3]}" for c in _entries()]
)
def test_deleting_an_entry_fails_its_own_example(name: str, section: str, index: int, entry_id: str) -> None:
    """Each entry has a positive example that only it detects, so removing the entry is never silent."""
    documents = dict(_shipped())
    document = copy.copy(documents[name])
    entry = document.data[section][index]
    examples = entry.get("examples") or []
    assert any("# expect:" in code for code in examples), f"{name} {section}:{entry_id} has no positive example"
    document.data = dict(document.data)
    document.data[section] = [e for i, e in enumerate(document.data[section]) if i != index]
    documents[name] = document
    without = build_knowledge(documents, [])
    assert any(_points(code, without)[1] != expected_points(code) for code in examples), (
        f"{name} {section}:{entry_id}: its examples still pass without it"
    )


def _category_examples() -> list[tuple[str, str, bool]]:
    return load_knowledge().examples


@pytest.mark.parametrize(
    ("category", "name", "should_match"),
    _category_examples(),
    ids=[f"{c}-{n}-{'match' if m else 'no_match'}" for c, n, m in _category_examples()],
)
def test_category_example(category: str, name: str, should_match: bool) -> None:
    found = load_knowledge().classifier.classify(name, context=("customer",))
    if should_match:
        assert found is not None and found.category == category, f"{name} -> {found}"
    else:
        assert found is None or found.category != category, f"{name} -> {found}"


def _check_tests() -> list[tuple[str, str, str]]:
    cases = []
    for code, check in load_knowledge().checks.items():
        for i, test in enumerate(check.tests):
            for kind in ("invalid", "valid"):
                if kind in test:
                    cases.append((f"{code}-{kind}-{i}", code, textwrap.dedent(test[kind])))
    return cases


@pytest.mark.parametrize(("case_id", "code", "source"), _check_tests(), ids=[c[0] for c in _check_tests()])
def test_check_examples(case_id: str, code: str, source: str) -> None:
    from minimise.checks import default_findings
    from minimise.engine import analyse_text

    knowledge = load_knowledge()
    findings = default_findings(list(analyse_text(source, "example.py", knowledge)), knowledge)
    lines = {f.line for f in findings if f.code == code}
    marked = {n for n, line in enumerate(source.splitlines(), start=1) if line.rstrip().endswith("# error")}
    if "-invalid-" in case_id:
        assert marked and lines == marked
    else:
        assert not lines


def test_every_check_has_examples_both_ways() -> None:
    for code, check in load_knowledge().checks.items():
        if check.raised_by:
            continue
        kinds = {k for test in check.tests for k in test}
        assert {"invalid", "valid"} <= kinds, code


def test_shipped_rules_pass_the_strict_loader() -> None:
    """Shipped YAML loads with the fast C loader; the strict one catches duplicate keys and aliases in it."""
    import minimise.inventory.reconcile
    from minimise.yamlio import read_shipped_yaml, read_yaml

    inventory = Path(minimise.inventory.reconcile.__file__).parent
    shipped = [rules_dir() / name for name in (*RULE_FILES, "literals.yaml")]
    shipped += [inventory / "checks.yaml", inventory / "plain_words.yaml"]
    for path in dict.fromkeys(shipped):
        assert read_shipped_yaml(path)[0] == read_yaml(path), path
