"""rules/frameworks.yaml: every framework name is needed, so taking one out of the file fails a test."""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from pathlib import Path

import libcst as cst
import pytest
from annotations import expected_points

from minimise.analysis.erasure_facts import USER, read_function
from minimise.engine import analyse_text
from minimise.knowledge import Knowledge, load_knowledge
from minimise.knowledge.frameworks import FRAMEWORK_LISTS, FRAMEWORK_MAPS, FRAMEWORK_NUMBERS

# Names whose effect is on what a deletion path erases, not on data points: their own test below.
ERASURE_ONLY = {("user_objects", "self.request.user")}


@lru_cache(maxsize=1)
def _examples() -> tuple[str, ...]:
    return tuple(e.code for e in load_knowledge().snippets if e.path.endswith("frameworks.yaml"))


def _without(knowledge: Knowledge, key: str, name: str) -> Knowledge:
    value = getattr(knowledge.frameworks, key)
    less = {k: v for k, v in value.items() if k != name} if isinstance(value, dict) else value - {name}
    return dataclasses.replace(knowledge, frameworks=dataclasses.replace(knowledge.frameworks, **{key: less}))


def _points(code: str, knowledge: Knowledge) -> set[tuple[int, str, str, str]]:
    return {(p.line, p.action, p.category, "") for p in analyse_text(code, "example.py", knowledge)}


def _observed(code: str, knowledge: Knowledge) -> set[tuple[int, str, str, str, str]]:
    """The points with their time to live and destination kind, which is all some names change."""
    return {(p.line, p.action, p.category, p.expires, p.sink_kind) for p in analyse_text(code, "example.py", knowledge)}


def _names() -> list[tuple[str, str]]:
    frameworks = load_knowledge().frameworks
    keys = (*FRAMEWORK_LISTS, *FRAMEWORK_MAPS, *FRAMEWORK_NUMBERS)
    return [(key, name) for key in keys for name in sorted(getattr(frameworks, key))]


def test_the_examples_hold_with_the_shipped_names() -> None:
    assert len(_examples()) >= 20
    for code in _examples():
        expected = {(line, action, category, "") for line, action, category, _ in expected_points(code)}
        assert _points(code, load_knowledge()) == expected, code


@pytest.mark.parametrize(("key", "name"), _names(), ids=[f"{k}:{n}" for k, n in _names()])
def test_taking_a_name_out_changes_an_example(key: str, name: str) -> None:
    if (key, name) in ERASURE_ONLY:
        pytest.skip("checked by test_the_user_objects_name_who_an_erasure_path_deletes")
    without = _without(load_knowledge(), key, name)
    assert any(_observed(code, without) != _observed(code, load_knowledge()) for code in _examples()), (
        f"frameworks.{key}: {name!r} is needed by no example in rules/frameworks.yaml"
    )


def test_every_key_of_the_section_is_loaded() -> None:
    fields = {f.name for f in dataclasses.fields(load_knowledge().frameworks)}
    assert fields == set(FRAMEWORK_LISTS) | set(FRAMEWORK_MAPS) | set(FRAMEWORK_NUMBERS)
    assert all(getattr(load_knowledge().frameworks, key) for key in fields)


# A plain name (`current_user`) is the account by its words alone; a dotted one needs its entry.
@pytest.mark.parametrize("user", sorted(u for u in load_knowledge().frameworks.user_objects if "." in u))
def test_the_user_objects_name_who_an_erasure_path_deletes(user: str) -> None:
    module = cst.parse_module(f"class AccountView:\n    def destroy(self, request):\n        {user}.delete()\n")
    view = module.body[0]
    assert isinstance(view, cst.ClassDef) and isinstance(view.body, cst.IndentedBlock)
    destroy = view.body.body[0]
    assert isinstance(destroy, cst.FunctionDef)
    user_objects = load_knowledge().frameworks.user_objects
    ttl_keywords = load_knowledge().frameworks.ttl_keywords
    assert [target for target, _ in read_function(destroy, True, user_objects, ttl_keywords).deletes] == [USER]
    shorter = user_objects - {user}
    assert [target for target, _ in read_function(destroy, True, shorter, ttl_keywords).deletes] != [USER]


def test_the_rule_file_docs_list_every_key() -> None:
    docs = (Path(__file__).resolve().parents[1] / "docs" / "rule-files.md").read_text(encoding="utf-8")
    rows = {line.split("`")[1] for line in docs.splitlines() if line.startswith("| `")}
    assert set(FRAMEWORK_LISTS) | set(FRAMEWORK_MAPS) | set(FRAMEWORK_NUMBERS) <= rows


def test_a_flask_subclass_declaring_its_session_interface_keeps_flash_messages_server_side() -> None:
    code = (
        "from flask import Flask, flash\n"
        "from flask.sessions import SessionInterface\n"
        "class StoredSessions(SessionInterface):\n"
        "    pass\n"
        "class PortalApp(Flask):\n"
        "    session_interface = StoredSessions()\n"
        "def greet(user):\n"
        "    flash(f'Signed in as {user.email}')\n"
    )
    kept = [(p.line, p.sink_kind) for p in analyse_text(code, "portal.py", load_knowledge())]
    assert kept == [(8, "session")]
    for other in ("    debug = False\n", "    session_interface = None\n"):
        without = code.replace("    session_interface = StoredSessions()\n", other)
        assert [(p.line, p.sink_kind) for p in analyse_text(without, "portal.py", load_knowledge())] == [(8, "cookie")]
