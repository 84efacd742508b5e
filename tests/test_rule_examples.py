"""Fixit-style: every rule file carries its own examples, and each one runs here."""

from __future__ import annotations

import textwrap

import pytest
import yaml
from annotations import actual_points, expected_points

from minimise.knowledge import load_knowledge, rules_dir


def _snippets() -> list[tuple[str, str]]:
    cases = []
    for name in ("sinks.yaml", "sources.yaml", "sanitizers.yaml"):
        data = yaml.safe_load((rules_dir() / name).read_text(encoding="utf-8"))
        for entry in data.get("sinks", []):
            for i, code in enumerate(entry.get("examples") or []):
                cases.append((f"{name}:{entry['id']}:{i}", code))
        for i, code in enumerate(data.get("examples") or []):
            cases.append((f"{name}:example:{i}", code))
    return cases


@pytest.mark.parametrize(("case_id", "code"), _snippets(), ids=[c[0] for c in _snippets()])
def test_rule_snippet(case_id: str, code: str) -> None:
    expected = expected_points(code)
    protected_lines = {line for line, _, _, prot in expected if prot}
    assert actual_points(code, protected_lines) == expected


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
    findings = default_findings(list(analyse_text(source, "snippet.py", knowledge)), knowledge)
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
    """The shipped rules load with the fast C loader; the strict one catches duplicate keys in them."""
    from minimise.knowledge import RULE_FILES
    from minimise.yamlio import read_yaml

    for name in RULE_FILES:
        read_yaml(rules_dir() / name)
