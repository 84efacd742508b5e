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


def test_shipped_visit_orders_match_libcst_source() -> None:
    """The pre-computed table is what libcst's own source says, for the libcst installed."""
    from importlib.metadata import version

    from minimise._cst_orders import LIBCST_VERSION, ORDERS
    from minimise.positions import read_source_order

    if version("libcst") != LIBCST_VERSION:
        return  # the table is ignored at run time for other versions; positions still checked above
    for name, order in ORDERS.items():
        assert read_source_order(getattr(cst, name)) == order, name


def test_children_of_is_libcst_children() -> None:
    """The fast child list is libcst's own ``children``: the same node objects, in the same order."""
    from minimise.positions import children_of

    compared = 0
    for path in [*sorted(CORPUS.rglob("*.py"))[:40]]:
        stack: list[cst.CSTNode] = [cst.parse_module(path.read_text(encoding="utf-8"))]
        while stack:
            node = stack.pop()
            expected = list(node.children)
            assert [id(c) for c in children_of(node)] == [id(c) for c in expected], (path, type(node).__name__)
            compared += 1
            stack.extend(expected)
    assert compared > 10_000
    tricky = cst.parse_module(TRICKY)
    assert [id(c) for c in children_of(tricky.body[1])] == [id(c) for c in tricky.body[1].children]


def _layout(node: cst.CSTNode) -> bool:
    layout = (
        cst.BaseParenthesizableWhitespace,
        cst.TrailingWhitespace,
        cst.EmptyLine,
        cst.Newline,
        cst.Comment,
        cst.Comma,
        cst.Dot,
        cst.Colon,
        cst.Semicolon,
        cst.AssignEqual,
        cst.LeftParen,
        cst.RightParen,
        cst.LeftSquareBracket,
        cst.RightSquareBracket,
        cst.LeftCurlyBrace,
        cst.RightCurlyBrace,
        cst.BaseBinaryOp,
        cst.BaseBooleanOp,
        cst.BaseCompOp,
        cst.BaseUnaryOp,
        cst.BaseAugOp,
        cst.Asynchronous,
        cst.ParamSlash,
    )
    return isinstance(node, layout)


def _preorder(node: cst.CSTNode, children) -> list[cst.CSTNode]:  # type: ignore[no-untyped-def]
    out, stack = [], [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(reversed(children(current)))
    return out


# Layout in every place the corpus may not have it: slices, lambdas, match, parameter markers.
_EVERY_LAYOUT = """async def f(a, /, b=1, *, c: int = 2, **kw) -> None:
    x = y[1 : 2 : 3] ; z = lambda q : q
    async with a as b , c : pass
    match x :
        case [1, 2, *rest] | {"k": v, **others} if v : pass
        case Point(x=1, y=[a, b]) : pass
    del a , b
    assert not a < b <= c , "m"
    x @= ~y ** 2
    from . . mod import (a as b ,)
    print(f"{x!r:>{w}}" "s" , *a , ** kw)
"""


def test_code_children_are_the_children_without_layout_in_the_same_order() -> None:
    from minimise.positions import code_children

    checked = 0
    sources = [p.read_text(encoding="utf-8") for p in sorted(CORPUS.rglob("*.py"))[:40]]
    for source in [*sources, TRICKY, _EVERY_LAYOUT]:
        module = cst.parse_module(source)
        everything = _preorder(module, lambda n: list(n.children))
        expected = [n for n in everything if not _layout(n)]
        # Layout nodes never hold code, so dropping their subtrees drops only layout.
        assert _preorder(module, code_children) == expected
        checked += len(expected)
    assert checked > 10_000
