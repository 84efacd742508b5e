"""Small questions about libcst nodes: names, dotted paths, literal strings, carried sub-expressions."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.formatting import used_format_arguments
from minimise.positions import children_of


def name_of(node: cst.CSTNode) -> str | None:
    """The identifier a receiver is known by: ``user`` in ``user.email``, ``profile`` in ``user.profile``."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return node.attr.value
    if isinstance(node, cst.Call):
        return name_of(node.func)
    if isinstance(node, cst.Subscript):
        return name_of(node.value)
    if isinstance(node, cst.Await):
        return name_of(node.expression)
    return None


def dotted_name(node: cst.CSTNode) -> str | None:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def annotation_text(node: cst.BaseExpression) -> str:
    """The names in an annotation, joined: ``Optional[SecretStr]`` -> ``Optional SecretStr``."""
    names: list[str] = []
    stack: list[cst.CSTNode] = [node]
    while stack and len(names) < 8:
        current = stack.pop()
        if isinstance(current, (cst.Name, cst.Attribute)):
            names.append(dotted_name(current) or "")
        elif isinstance(current, cst.Subscript):
            stack.append(current.value)
            stack.extend(e.slice.value for e in current.slice if isinstance(e.slice, cst.Index))
        elif isinstance(current, cst.BinaryOperation):
            stack.extend((current.left, current.right))
    return " ".join(names)


def calls_in(node: cst.CSTNode, limit: int = 400) -> list[cst.Call]:
    """Calls anywhere under ``node`` (bounded), for the rare places that need a deep look."""
    found: list[cst.Call] = []
    stack: list[cst.CSTNode] = [node]
    seen = 0
    while stack and seen < limit:
        current = stack.pop()
        seen += 1
        if isinstance(current, cst.Call):
            found.append(current)
        stack.extend(children_of(current))
    return found


def self_assignments(body: cst.BaseSuite) -> list[tuple[str, cst.BaseExpression]]:
    names: list[tuple[str, cst.BaseExpression]] = []
    for stmt in body.body if isinstance(body, cst.IndentedBlock) else ():
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign):
                    for target in small.targets:
                        dotted = dotted_name(target.target)
                        if dotted and dotted.startswith("self."):
                            names.append((dotted[5:], small.value))
    return names


def has_fstring(node: cst.ConcatenatedString) -> bool:
    parts: list[cst.CSTNode] = [node.left, node.right]
    while parts:
        part = parts.pop()
        if isinstance(part, cst.FormattedString):
            return True
        if isinstance(part, cst.ConcatenatedString):
            parts += [part.left, part.right]
    return False


def carrier_parts(expr: cst.CSTNode) -> list[cst.BaseExpression]:
    """Sub-expressions that carry a value into a sink, so a data point lands on their own line."""
    if isinstance(expr, cst.ConcatenatedString):
        return [expr.left, expr.right]
    if isinstance(expr, (cst.BinaryOperation, cst.BooleanOperation)):
        return [expr.left, expr.right]
    if isinstance(expr, cst.FormattedString):
        return [p.expression for p in expr.parts if isinstance(p, cst.FormattedStringExpression)]
    if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
        return [expr.elt]
    if isinstance(expr, cst.DictComp):
        return [expr.key, expr.value]
    if isinstance(expr, cst.IfExp):
        return [expr.body, expr.orelse]
    if (
        isinstance(expr, cst.Call)
        and isinstance(expr.func, cst.Attribute)
        and expr.func.attr.value in ("join", "format")
    ):
        return [a.value for a in format_arguments(expr)] + [expr.func.value]
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and not expr.args:
        return [expr.func.value]
    if isinstance(expr, cst.Await):
        return [expr.expression]
    return []


def format_arguments(call: cst.Call) -> list[cst.Arg]:
    """The arguments of a call whose value reaches its result: of ``"literal".format(...)``, those it uses."""
    if not isinstance(call.func, cst.Attribute) or call.func.attr.value != "format":
        return list(call.args)
    template = literal_string(call.func.value)
    used = used_format_arguments(template, call.args) if template is not None else None
    if used is None:
        return list(call.args)
    return [arg for arg, reaches in zip(call.args, used, strict=True) if reaches]


def simple_string(text: str) -> str | None:
    """The value of a string literal without escapes, without libcst's ast.literal_eval."""
    prefix_end = 0
    while prefix_end < len(text) and text[prefix_end] not in "'\"":
        prefix_end += 1
    prefix = text[:prefix_end].lower()
    if "\\" in text or "b" in prefix or "f" in prefix:
        return None
    body = text[prefix_end:]
    quote = body[:3] if body[:3] in ('"""', "'''") else body[:1]
    if len(body) < 2 * len(quote):
        return None
    return body[len(quote) : len(body) - len(quote)]


def literal_string(node: cst.CSTNode | None) -> str | None:
    if type(node) is cst.SimpleString:
        fast = simple_string(node.value)  # type: ignore[union-attr]
        if fast is not None:
            return fast
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        if isinstance(value, bytes):
            return value.decode("latin-1")
        return value
    return None
