"""Our newline-counting walk agrees with libcst's PositionProvider on every node we report."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from minimise.positions import find_lines

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
TRICKY = '''x = (
    "a"
    "b"
)
y = """multi
line""" + f"""{x}
"""
if x and \\
        y:
    z = [
        1,
        2,
    ]
'''


def _check(source: str) -> None:
    module = cst.parse_module(source)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    nodes = [
        n
        for n in positions
        if isinstance(n, (cst.Name, cst.SimpleString, cst.Call, cst.Integer, cst.Param, cst.DictElement))
    ]
    lines = find_lines(module, nodes)
    assert {id(n): positions[n].start.line for n in nodes} == lines


def test_tricky_layout() -> None:
    _check(TRICKY)


def test_corpus_files() -> None:
    for path in sorted(CORPUS.rglob("*.py"))[:25]:
        _check(path.read_text(encoding="utf-8"))
