"""Small questions about libcst nodes: names, dotted paths, literal strings, carried sub-expressions."""

from __future__ import annotations

import re
from collections.abc import Sequence

import libcst as cst

from minimise.analysis.formatting import used_format_arguments
from minimise.positions import code_children
from minimise.words import split_words


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


def script_statements(body: Sequence[cst.CSTNode]) -> list[cst.CSTNode]:
    """The statements a module runs as an operator's script, or [] when it is not one.

    A script has an ``if __name__ == "__main__":`` block or prints at its top level; what it runs outside
    its functions and classes (that block included) talks to whoever started it.
    """
    top = [s for s in body if not isinstance(s, (cst.FunctionDef, cst.ClassDef))]
    is_script = any(_main_guard(s) for s in top) or any(
        name_of(call.func) in ("print", "input") for s in top if not isinstance(s, cst.If) for call in calls_in(s)
    )
    return top if is_script else []


def _main_guard(stmt: cst.CSTNode) -> bool:
    if not isinstance(stmt, cst.If) or not isinstance(stmt.test, cst.Comparison):
        return False
    sides = [stmt.test.left, *(c.comparator for c in stmt.test.comparisons)]
    return any(isinstance(s, cst.Name) and s.value == "__name__" for s in sides) and any(
        literal_string(s) == "__main__" for s in sides if isinstance(s, (cst.SimpleString, cst.ConcatenatedString))
    )


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
        stack.extend(code_children(current))
    return found


def assignments(body: cst.BaseSuite) -> list[cst.Assign]:
    """The plain assignments among a block's own statements (not those nested in its inner blocks)."""
    found: list[cst.Assign] = []
    for stmt in body.body if isinstance(body, cst.IndentedBlock) else ():
        if isinstance(stmt, cst.SimpleStatementLine):
            found += [small for small in stmt.body if isinstance(small, cst.Assign)]
    return found


def self_assignments(body: cst.BaseSuite) -> list[tuple[str, cst.BaseExpression]]:
    names: list[tuple[str, cst.BaseExpression]] = []
    for small in assignments(body):
        for target in small.targets:
            dotted = dotted_name(target.target)
            if dotted and dotted.startswith("self."):
                names.append((dotted[5:], small.value))
    return names


def mail_domain_index(node: cst.CSTNode | None) -> int | None:
    """Which element of ``address.split("@", 1)`` or ``address.partition("@")`` is the mail domain, if it is one."""
    if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute) or not node.args:
        return None
    if literal_string(node.args[0].value) != "@":
        return None
    return {"split": 1, "rsplit": 1, "partition": 2, "rpartition": 2}.get(node.func.attr.value)


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


_FILE_SUFFIX = re.compile(r"\.[A-Za-z][A-Za-z0-9]{0,4}$")


def names_a_file(node: cst.CSTNode | None) -> bool:
    """Whether a string is built to end in a file name's suffix (``f"{ctf_name}.zip"``, ``"{}.csv".format(d)``).

    Such a value names a file (or a host) made from other values, not the person's data its variable
    may be called after; an address (``f"{user}@{domain}.com"``) is not one.
    """
    tail: str | None = None
    whole = ""
    if isinstance(node, cst.FormattedString):
        texts = [p.value for p in node.parts if isinstance(p, cst.FormattedStringText)]
        last = node.parts[-1] if node.parts else None
        tail = last.value if isinstance(last, cst.FormattedStringText) else None
        whole = "".join(texts)
    elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        tail = whole = literal_string(node.func.value) or ""
    elif isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Modulo, cst.Add)):
        side = node.left if isinstance(node.operator, cst.Modulo) else node.right
        tail = whole = literal_string(side) or ""
    return bool(tail) and "@" not in whole and _FILE_SUFFIX.search(tail or "") is not None


# The most characters a fixed slice may keep and still be a shown prefix or suffix rather than the value.
SHORT_SLICE = 8


def short_slice(node: cst.CSTNode) -> bool:
    """``x[:8]``, ``x[-4:]``, ``x[2:6]``: one slice with integer bounds that keeps a few characters."""
    if not isinstance(node, cst.Subscript) or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Slice):
        return False
    part = node.slice[0].slice
    if part.step is not None:
        return False

    def bound(expr: cst.BaseExpression | None) -> int | None:
        if isinstance(expr, cst.Integer):
            return int(expr.evaluated_value)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Minus):
            inner = expr.expression
            return -int(inner.evaluated_value) if isinstance(inner, cst.Integer) else None
        return None

    lower, upper = bound(part.lower), bound(part.upper)
    if part.lower is None and upper is not None and upper >= 0:
        return upper <= SHORT_SLICE
    if part.upper is None and lower is not None and lower < 0:
        return -lower <= SHORT_SLICE
    if lower is not None and upper is not None and 0 <= lower <= upper:
        return upper - lower <= SHORT_SLICE
    return False


def returned_values(fn: cst.FunctionDef) -> list[cst.BaseExpression]:
    """The expressions a function returns, in its own body (not in functions nested in it)."""
    found: list[cst.BaseExpression] = []
    pending: list[cst.CSTNode] = [fn.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Return):
            if node.value is not None:
                found.append(node.value)
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        pending.extend(code_children(node))
    return found


def local_bindings(fn: cst.FunctionDef, name: str) -> list[tuple[cst.BaseExpression, int]]:
    """What ``name`` is assigned in ``fn``'s body: each value, with the tuple element it takes (-1: all of it)."""
    found: list[tuple[cst.BaseExpression, int]] = []
    pending: list[cst.CSTNode] = [fn.body]
    while pending:
        node = pending.pop()
        if isinstance(node, cst.Assign):
            for target in node.targets:
                if isinstance(target.target, cst.Name) and target.target.value == name:
                    found.append((node.value, -1))
                elif isinstance(target.target, (cst.Tuple, cst.List)):
                    for i, element in enumerate(target.target.elements):
                        if isinstance(element.value, cst.Name) and element.value.value == name:
                            found.append((node.value, i))
            continue
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        pending.extend(code_children(node))
    return found


def format_parts(node: cst.FormattedString) -> list[cst.BaseExpression]:
    """The expressions put into an f-string."""
    return [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]


def swallowing_handler(
    handler: cst.ExceptHandler | cst.ExceptStarHandler, shown_to_the_user: tuple[str, ...] = ()
) -> bool:
    """An `except` clause that drops what it catches: it raises nothing and never uses the exception.

    Raising one of ``shown_to_the_user`` (ends of validation error names) from it hands the message back to
    the person who typed the value (`raise forms.ValidationError(str(e))`): that drops it from the logs too.
    """
    bound = handler.name.name.value if handler.name is not None and isinstance(handler.name.name, cst.Name) else None
    pending: list[cst.CSTNode] = [handler.body]
    while pending:
        node = pending.pop()
        if (
            shown_to_the_user
            and isinstance(node, cst.Raise)
            and isinstance(node.exc, cst.Call)
            and (name_of(node.exc.func) or "").endswith(shown_to_the_user)
        ):
            continue
        if isinstance(node, cst.Raise) or (bound is not None and isinstance(node, cst.Name) and node.value == bound):
            return False
        if isinstance(node, cst.Call) and name_of(node.func) in ("exception", "print_exc", "format_exc", "exc_info"):
            return False  # `log.exception(...)`, `traceback.print_exc()`: the exception is logged anyway
        pending.extend(code_children(node))
    return True


# Types whose values carry no text: a branch taken only for them holds no one's name or address.
_NUMBER_TYPES = frozenset({"bool", "int", "float", "complex", "Decimal", "NoneType"})


def number_guard(test: cst.BaseExpression) -> str | None:
    """The name a test lets through only as None, a number, an error, empty or not text.

    `not x`, `x is None or isinstance(x, SomeError)`, `not isinstance(x, str)`.
    """
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        checked = _isinstance_check(test.expression)
        if checked is not None and "str" in checked[1]:
            return checked[0]  # `if not isinstance(x, str): raise ValueError(f"not a string: {x}")`: no text here
        return test.expression.value if isinstance(test.expression, cst.Name) else None  # falsy: "", None, 0
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        left, right = number_guard(test.left), number_guard(test.right)
        return left if left is not None and left == right else None
    if isinstance(test, cst.Comparison) and len(test.comparisons) == 1 and isinstance(test.left, cst.Name):
        target = test.comparisons[0]
        if isinstance(target.operator, cst.Is) and isinstance(target.comparator, cst.Name):
            return test.left.value if target.comparator.value == "None" else None
        return None
    checked = _isinstance_check(test)
    if checked is not None and checked[2] and all(t in _NUMBER_TYPES or _an_error(t) for t in checked[1]):
        return checked[0]  # `if token is None or isinstance(token, OAuthError)`: a failure, not the token
    return None


def text_guard(test: cst.BaseExpression) -> str | None:
    """The name a test is true for whenever it holds text: `isinstance(x, str)`, `isinstance(x, (str, int)) or y`."""
    checked = _isinstance_check(test)
    if checked is not None and "str" in checked[1]:
        return checked[0]
    if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.Or):
        return text_guard(test.left) or text_guard(test.right)
    return None


def only_jumps(body: cst.BaseSuite) -> bool:
    """Whether a block does nothing but leave (`continue`, `break`, `return`, `raise`)."""
    statements = statements_in(body)
    jumps = (cst.Continue, cst.Break, cst.Return, cst.Raise)
    return (
        bool(statements)
        and all(isinstance(s, (*jumps, cst.Pass, cst.Expr)) for s in statements)
        and any(isinstance(s, jumps) for s in statements)
    )


def _an_error(type_name: str) -> bool:
    return type_name.endswith(("Error", "Exception"))


def _isinstance_check(test: cst.BaseExpression) -> tuple[str, tuple[str, ...], bool] | None:
    """The name `isinstance(x, T)` or `isinstance(x, (T, U))` checks, its plain type names, and whether every
    type is one (not `mod.Type`)."""
    if not (isinstance(test, cst.Call) and name_of(test.func) == "isinstance" and len(test.args) == 2):
        return None
    subject, types = test.args[0].value, test.args[1].value
    if not isinstance(subject, cst.Name):
        return None
    nodes = [e.value for e in types.elements] if isinstance(types, cst.Tuple) else [types]
    names = tuple(n.value for n in nodes if isinstance(n, cst.Name))
    return subject.value, names, len(names) == len(nodes)


def statements_in(body: cst.CSTNode) -> list[cst.CSTNode]:
    """Every small statement under a body (``raise``, ``return``), nested blocks included, nested functions not."""
    return code_under(body, cst.BaseSmallStatement, skip=(cst.FunctionDef, cst.ClassDef))


def code_under(node: cst.CSTNode, kind: type, skip: tuple[type, ...] = ()) -> list[cst.CSTNode]:
    """The code nodes of ``kind`` at or below ``node`` (not below one of them), not entering ``skip`` nodes."""
    found: list[cst.CSTNode] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, kind):
            found.append(current)
            continue
        if not isinstance(current, skip):
            stack.extend(code_children(current))
    return found


# Words of a method that saves, adds or hands on its instance (`user.create_local_user()`, `row.save()`).
_ROW_WRITE_WORDS = frozenset({"save", "commit", "persist", "add", "create", "insert", "update", "register", "store"})


def transient_constructions(fn: cst.FunctionDef) -> frozenset[int]:
    """The calls ``name = call`` of a function whose local is only read or asked questions (their ids).

    Every other use of the name is the receiver of an attribute (never passed, returned, stored or
    reassigned), and no method called on it names a save, an add or a creation. A later ``name = ...``
    starts another value: the statements after it in its own block use that one, not the first. One
    walk of the function answers for all its calls.
    """
    bound = {
        id(a.value): a
        for a in code_under(fn, cst.Assign)
        if isinstance(a, cst.Assign)
        and isinstance(a.value, cst.Call)
        and len(a.targets) == 1
        and isinstance(a.targets[0].target, cst.Name)
    }
    if not bound:
        return frozenset()
    wanted = {_bound_name(a) for a in bound.values()}
    order, bindings = _source_order(fn, wanted)
    attributes = [a for a in code_under(fn, cst.Attribute) if isinstance(a, cst.Attribute)]
    # `g.user = ...`, `f(user=...)`: an attribute's or a keyword's own name is not a use of the local.
    not_uses = {id(a.attr) for a in attributes}
    not_uses.update(id(a.keyword) for a in code_under(fn, cst.Arg) if isinstance(a, cst.Arg) and a.keyword)
    names = [n for n in code_under(fn, cst.Name) if isinstance(n, cst.Name) and n.value in wanted]
    found: set[int] = set()
    for call, assign in bound.items():
        name = _bound_name(assign)
        later = _uses_of_later_values(assign, name, order, bindings)
        uses = sum(1 for n in names if n.value == name and id(n) not in not_uses and id(n) not in later)
        receivers = [
            a.attr.value
            for a in attributes
            if isinstance(a.value, cst.Name) and a.value.value == name and id(a.value) not in later
        ]
        # One more use than receivers: the binding itself; any other is a pass, a return or a rebinding.
        if uses == len(receivers) + 1 and not any(_ROW_WRITE_WORDS & set(split_words(attr)) for attr in receivers):
            found.add(call)
    return frozenset(found)


def _bound_name(assign: cst.Assign) -> str:
    target = assign.targets[0].target
    return target.value if isinstance(target, cst.Name) else ""


_Rebinding = tuple[cst.Assign, Sequence[cst.CSTNode], int]  # the assignment, its block's statements, its index


def _source_order(fn: cst.FunctionDef, wanted: set[str]) -> tuple[dict[int, int], list[_Rebinding]]:
    """Each node's place in reading order, and where each binding of a wanted name sits in its block."""
    order: dict[int, int] = {}
    bindings: list[_Rebinding] = []
    stack: list[cst.CSTNode] = [fn]
    while stack:
        node = stack.pop()
        order[id(node)] = len(order)
        if isinstance(node, (cst.IndentedBlock, cst.Module)):
            for index, stmt in enumerate(node.body):
                if isinstance(stmt, cst.SimpleStatementLine):
                    bindings.extend(
                        (small, node.body, index)
                        for small in stmt.body
                        if isinstance(small, cst.Assign) and len(small.targets) == 1 and _bound_name(small) in wanted
                    )
        stack.extend(reversed(code_children(node)))
    return order, bindings


def _uses_of_later_values(assign: cst.Assign, name: str, order: dict[int, int], bindings: list[_Rebinding]) -> set[int]:
    """The names that read a value bound to ``name`` after ``assign``: a later binding's target and its block's rest."""
    start = order.get(id(assign), -1)
    later: set[int] = set()
    for rebinding, body, index in bindings:
        if _bound_name(rebinding) != name or order.get(id(rebinding), -1) <= start:
            continue
        later.add(id(rebinding.targets[0].target))
        later.update(id(n) for rest in body[index + 1 :] for n in code_under(rest, cst.Name))
    return later


def output_models(body: Sequence[cst.CSTNode]) -> set[str]:
    """Schemas a route only returns (``response_model=UserOut``, ``-> UserOut``): output, not collection."""
    returned: set[str] = set()
    taken: set[str] = set()
    for stmt in body:
        if not isinstance(stmt, cst.FunctionDef):
            continue
        for decorator in stmt.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call):
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "response_model":
                        returned.add(name_of(arg.value) or "")
        if stmt.decorators and stmt.returns is not None:
            returned.add(name_of(stmt.returns.annotation) or "")
        params = stmt.params
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            if param.annotation is not None:
                taken.add(name_of(param.annotation.annotation) or "")
    return returned - taken - {""}


def whole_objects(expr: cst.BaseExpression, names: frozenset[str]) -> list[str]:
    """The dotted ``names`` used whole in ``expr`` (``"%s" % request.user``), not for one of their parts.

    ``request.user.id`` and ``current_user.is_admin()`` use a part; ``f"by {request.user}"`` shows the
    object itself, as its text.
    """
    found: list[str] = []
    pending: list[cst.CSTNode] = [expr]
    while pending:
        node = pending.pop()
        if isinstance(node, (cst.Attribute, cst.Name)):
            dotted = dotted_name(node)
            if dotted in names:
                found.append(dotted)
                continue
        if isinstance(node, cst.Attribute):
            continue  # `request.user.id`: a part of it, whatever the object
        if isinstance(node, cst.Call):
            pending.extend(arg.value for arg in node.args)  # `str(request.user)`, not `request.user.get_x()`
            continue
        if isinstance(node, cst.Subscript):
            continue
        pending.extend(code_children(node))
    return found
