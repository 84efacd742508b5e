"""Parsing without node validation gives libcst's own tree, and validation is back on afterwards."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from minimise.parsing import parse_module

CORPUS = Path(__file__).parent / "fixtures" / "corpus"


def test_same_tree_as_libcst() -> None:
    files = sorted(CORPUS.rglob("*.py"))
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8")
        ours, theirs = parse_module(text), cst.parse_module(text)
        assert ours.deep_equals(theirs), path
        assert ours.code == text


def test_validation_is_restored_after_a_parse_and_after_a_failed_one() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("")
