"""Line numbers for chosen libcst nodes, found by one walk in source order counting line ends.

Lines are counted the way Python's tokenizer counts them (see :func:`minimise.source.split_lines`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst

from minimise.source import count_breaks, split_lines

__all__ = ["children_of", "code_children", "count_breaks", "find_lines", "split_lines"]

# Field names of each node type in the order libcst generates code for them; derived
# once per (type, shape) by asking libcst itself, because dataclass field order differs
# from source order (e.g. Name lists ``value`` before ``lpar``).
_ORDER_CACHE: dict[tuple[type, tuple[bool, ...]], tuple[str, ...]] = {}
_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


class _ChildRecorder(cst.CSTVisitor):
    """Records the children libcst visits, without descending into them."""

    def __init__(self) -> None:
        self.seen: list[int] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.seen.append(id(node))
        return False


def _fields(node_type: type) -> tuple[str, ...]:
    names = _FIELDS_CACHE.get(node_type)
    if names is None:
        names = tuple(node_type.__dataclass_fields__)  # type: ignore[attr-defined]
        _FIELDS_CACHE[node_type] = names
    return names


def _child_values(value: object) -> Sequence[cst.CSTNode]:
    if isinstance(value, cst.CSTNode):
        return (value,)
    if isinstance(value, (list, tuple)):
        return [v for v in value if isinstance(v, cst.CSTNode)]
    return ()


_SOURCE_ORDER: dict[type, tuple[str, ...] | None] = {}


def _source_order(node_type: type) -> tuple[str, ...] | None:
    """The order in which libcst's own ``_visit_and_replace_children`` visits a type's fields.

    Read once per type from libcst's source: the field names are the string arguments of its
    ``visit_*`` helper calls, in call order. None when the source is not available.
    """
    if node_type in _SOURCE_ORDER:
        return _SOURCE_ORDER[node_type]
    shipped = _shipped_orders().get(node_type.__name__)
    if shipped is not None:
        _SOURCE_ORDER[node_type] = shipped
        return shipped
    order: tuple[str, ...] | None = read_source_order(node_type)
    _SOURCE_ORDER[node_type] = order
    return order


_SHIPPED: dict[str, tuple[str, ...]] | None = None


def _shipped_orders() -> dict[str, tuple[str, ...]]:
    """The orders pre-computed for the libcst version in _cst_orders.py, if it is the one installed."""
    global _SHIPPED
    if _SHIPPED is None:
        _SHIPPED = {}
        try:
            from importlib.metadata import version

            from minimise._cst_orders import LIBCST_VERSION, ORDERS

            if version("libcst") == LIBCST_VERSION:
                _SHIPPED = ORDERS
        except Exception:  # noqa: BLE001 - any doubt: read the orders from libcst's source instead
            _SHIPPED = {}
    return _SHIPPED


def read_source_order(node_type: type) -> tuple[str, ...] | None:
    """Read a type's visit order from libcst's source (see scripts/generate_cst_orders.py)."""
    order: tuple[str, ...] | None = None
    try:
        import ast
        import inspect
        import textwrap

        method = node_type._visit_and_replace_children  # type: ignore[attr-defined]
        tree = ast.parse(textwrap.dedent(inspect.getsource(method)))
        names: list[str] = []
        fields = set(_fields(node_type))
        for call in ast.walk(tree):
            if (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id.startswith("visit_")
                and len(call.args) >= 2
                and isinstance(call.args[1], ast.Constant)
                and call.args[1].value in fields
            ):
                names.append(call.args[1].value)
        # ast.walk is breadth-first; line and column give source order.
        positions = {
            c.args[1].value: (c.lineno, c.col_offset)
            for c in ast.walk(tree)
            if isinstance(c, ast.Call)
            and isinstance(c.func, ast.Name)
            and c.func.id.startswith("visit_")
            and len(c.args) >= 2
            and isinstance(c.args[1], ast.Constant)
            and c.args[1].value in fields
        }
        # A type whose visitor visits nothing (Newline, Comment) has no children: an empty order.
        order = tuple(sorted(set(names), key=lambda n: positions[n]))
    except (OSError, TypeError, SyntaxError, AttributeError):
        order = None
    return order


_CHECKED: dict[type, bool] = {}
# The visit order of each type whose order from source libcst agreed with (see _ordered_fields).
_TRUSTED_FIELDS: dict[type, tuple[str, ...]] = {}


def _ordered_fields(node: cst.CSTNode) -> tuple[str, ...]:
    node_type = type(node)
    trusted = _CHECKED.get(node_type)
    if trusted is None:
        # Trust the order read from source only if libcst itself agrees on a first instance.
        static = _source_order(node_type)
        probed = _probed_order(node)
        trusted = (
            static is not None and set(probed) <= set(static) and [n for n in static if n in probed] == list(probed)
        )
        _CHECKED[node_type] = trusted
    if trusted:
        return _SOURCE_ORDER[node_type]  # type: ignore[return-value]
    return _probed_order(node)


def _probed_order(node: cst.CSTNode) -> tuple[str, ...]:
    node_type = type(node)
    names = _fields(node_type)
    shape = tuple(bool(_child_values(getattr(node, n))) for n in names)
    key = (node_type, shape)
    order = _ORDER_CACHE.get(key)
    if order is None:
        recorder = _ChildRecorder()
        node._visit_and_replace_children(recorder)
        rank = {child_id: i for i, child_id in enumerate(recorder.seen)}
        present = [n for n, has in zip(names, shape, strict=False) if has]

        def first_rank(name: str) -> int:
            children = _child_values(getattr(node, name))
            return min(rank.get(id(c), 1 << 30) for c in children)

        order = tuple(sorted(present, key=first_rank))
        _ORDER_CACHE[key] = order
    return order


def children_of(node: cst.CSTNode) -> list[cst.CSTNode]:
    """``node.children`` (the same nodes in the same order) without libcst's cost.

    libcst computes ``children`` by rebuilding the node through a visitor, which re-runs every
    constructor and its validation; reading the fields in libcst's visit order gives the same list.
    """
    return _nodes_in(node, _ordered_fields(node))


def _nodes_in(node: cst.CSTNode, fields: tuple[str, ...]) -> list[cst.CSTNode]:
    """The nodes held by ``fields`` of ``node``, in that order (lists and tuples flattened)."""
    children: list[cst.CSTNode] = []
    for name in fields:
        value = getattr(node, name)
        value_type = type(value)
        if value_type is list or value_type is tuple:
            children.extend(v for v in value if _is_node(type(v)))
        elif _is_node(value_type):
            children.append(value)
    return children


# Fields that only ever hold layout or punctuation (whitespace, comments, brackets, commas,
# operators, blank lines): no expression or statement is ever below them.
_LAYOUT_FIELDS = frozenset(
    {
        "lpar",
        "rpar",
        "lbracket",
        "rbracket",
        "lbrace",
        "rbrace",
        "comma",
        "dot",
        "relative",
        "semicolon",
        "equal",
        "colon",
        "first_colon",
        "second_colon",
        "trailing_comma",
        "separator",
        "posonly_ind",
        "operator",
        "asynchronous",
        "leading_lines",
        "lines_after_decorators",
        "header",
        "footer",
        "empty_lines",
        "first_line",
        "last_line",
        "leading_whitespace",
        "newline",
        "comment",
        "trailing_whitespace",
    }
)
_CODE_FIELDS: dict[type, tuple[str, ...]] = {}


def _code_fields(node: cst.CSTNode) -> tuple[str, ...]:
    node_type = type(node)
    if node_type in _CHECKED and _CHECKED[node_type]:
        names = _CODE_FIELDS.get(node_type)
        if names is None:
            names = _CODE_FIELDS[node_type] = tuple(
                n for n in _ordered_fields(node) if n not in _LAYOUT_FIELDS and not n.startswith("whitespace")
            )
        return names
    return tuple(n for n in _ordered_fields(node) if n not in _LAYOUT_FIELDS and not n.startswith("whitespace"))


def code_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The children of ``node`` that are code, in source order: :func:`children_of` without the layout.

    A reader looking for calls, names or assignments never needs whitespace, comments or punctuation,
    which are most of a tree's nodes.
    """
    return _nodes_in(node, _code_fields(node))


_NEWLINE_TEXT_TYPES = (cst.SimpleString, cst.FormattedStringText)


class _Mark:
    """Stack entry that records a node's line once its opening parentheses are behind."""

    __slots__ = ("node_id",)

    def __init__(self, node_id: int) -> None:
        self.node_id = node_id


_NODE_TYPES: dict[type, bool] = {}


def _is_node(value_type: type) -> bool:
    """``issubclass(t, CSTNode)``, cached: the ABC check is too slow for every field of every node."""
    known = _NODE_TYPES.get(value_type)
    if known is None:
        known = _NODE_TYPES[value_type] = issubclass(value_type, cst.CSTNode)
    return known


def find_lines(module: cst.Module, wanted: Iterable[cst.CSTNode]) -> dict[int, int]:
    """Map ``id(node)`` to its 1-based start line for each wanted node.

    Like libcst's PositionProvider, a parenthesised node starts at its first token
    inside the parentheses.
    """
    remaining = {id(n) for n in wanted}
    found: dict[int, int] = {}
    if not remaining:
        return found
    line = 1
    stack: list[object] = [module]
    newline_type = cst.Newline
    simple_ws = cst.SimpleWhitespace
    mark_type = _Mark
    # Local names for the per-type tables: this loop runs for every node up to the last one wanted.
    trusted_fields = _TRUSTED_FIELDS
    node_types = _NODE_TYPES
    while stack and remaining:
        node = stack.pop()
        node_type = type(node)
        if node_type is mark_type:
            found[node.node_id] = line  # type: ignore[attr-defined]
            remaining.discard(node.node_id)  # type: ignore[attr-defined]
            continue
        if node_type is newline_type:
            line += 1
            continue
        if node_type is simple_ws:
            line += count_breaks(node.value)  # type: ignore[attr-defined]
            continue
        if node_type is int:
            line += node  # type: ignore[operator]
            continue
        node_id = id(node)
        deferred = node_id in remaining and bool(getattr(node, "lpar", None))
        if node_id in remaining and not deferred:
            found[node_id] = line
            remaining.discard(node_id)
        children: list[object] = []
        text_newlines = (
            count_breaks(node.value) if node_type in _NEWLINE_TEXT_TYPES else 0  # type: ignore[attr-defined]
        )
        if text_newlines and not getattr(node, "lpar", None):
            children.append(text_newlines)
        names = trusted_fields.get(node_type)
        if names is None:
            names = _ordered_fields(node)  # type: ignore[arg-type]
            if _CHECKED.get(node_type):
                trusted_fields[node_type] = names
        for name in names:
            value = getattr(node, name)
            value_type = type(value)
            if value_type is list or value_type is tuple:
                children.extend(v for v in value if node_types.get(type(v)) or _is_node(type(v)))
            elif node_types.get(value_type) or _is_node(value_type):
                children.append(value)
            if name == "lpar" and value:
                if deferred:
                    children.append(_Mark(node_id))
                if text_newlines:
                    children.append(text_newlines)
        children.reverse()
        stack.extend(children)
    return found
