"""Which constructor arguments the message of a module's own exception class shows (``str(e)``)."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.facts import ClassInfo
from minimise.analysis.syntax import (
    assignments,
    calls_in,
    code_under,
    name_of,
    returned_values,
    self_assignments,
    statements_in,
)
from minimise.positions import code_children


class ExceptionMessages:
    """Reads a module's exception classes: their ``__init__``, their ``__str__`` and those of their bases."""

    def __init__(
        self,
        classes: dict[str, ClassInfo],
        class_bases: dict[str, tuple[str, ...]],
        module_name: str,
        message_keywords: frozenset[str],
    ) -> None:
        self.classes = classes
        self.class_bases = class_bases
        self.module_name = module_name
        self.message_keywords = message_keywords

    def shown(self, cls: ClassInfo) -> set[int | str] | None:
        """The constructor arguments (positions and keywords) the message of class ``cls`` shows; None: unknown."""
        init = cls.methods.get("__init__")
        if init is None:
            return None
        params = [p.name.value for p in (*init.params.posonly_params, *init.params.params)][1:]
        keywords = [p.name.value for p in init.params.kwonly_params]
        shown = cls.methods.get("__str__")
        if shown is not None:
            return _carried_by_str(init, shown, params, keywords)
        inherited = self._inherited_str(cls.name)
        if inherited is not None:
            # A base of the module says what the message is (`return str(self.msg)`): what this
            # constructor assigns to those attributes, or passes up under their names (`msg=...`).
            assigned = _carried_by_str(init, inherited, params, keywords)
            read = _attributes_read(inherited)
            if assigned is not None and read is not None:
                passed_up = [
                    arg.value
                    for call in _base_init_calls(init)
                    for arg in call.args
                    if arg.keyword is not None and arg.keyword.value in read
                ]
                names = {name for value in passed_up for name in _shown_names(value)}
                return assigned | {i for i, name in enumerate(params) if name in names} | (names & {*params, *keywords})
        if self._bases_absorb_arguments(cls.name):
            # Python keeps in `args`, and `str(e)` shows, only what the raise passed by position.
            return set(range(len(params)))
        message: list[cst.CSTNode] = []
        base_calls = _base_init_calls(init)
        for call in base_calls:
            message += [a.value for a in call.args]
        # `super().__init__(*args, **kwargs)` and nothing else: the message is the base class's to say.
        forwarding_only = bool(base_calls) and all(_forwards_everything(call) for call in base_calls)
        message_names = self.message_keywords
        local: dict[str, list[cst.CSTNode]] = {}
        for stmt in assignments(init.body):
            for target in stmt.targets:
                if isinstance(target.target, cst.Attribute) and target.target.attr.value in message_names:
                    message.append(stmt.value)
                    forwarding_only = False
                elif isinstance(target.target, cst.Name):
                    local.setdefault(target.target.value, []).append(stmt.value)
        if not message or forwarding_only:
            return None
        used: set[str] = set()
        pending = list(message)
        while pending:  # `message = f"... {email}"; super().__init__(message)`: through the local variables
            for name in _names_in(pending.pop()):
                if name.value not in used:
                    used.add(name.value)
                    pending += local.get(name.value, [])
        return _arguments_named(params, keywords, used)

    def _bases_absorb_arguments(self, name: str) -> bool:
        """Whether what class ``name`` passes up to its bases' ``__init__`` never reaches ``BaseException``.

        True when, up the module's own classes in method resolution order, the first ``__init__``
        that does not just forward ``*args, **kwargs`` calls no base ``__init__`` at all (it keeps
        its arguments as attributes): the message is then only what the raise passed by position.
        """
        for base in self._module_mro(name)[1:]:
            info = self.classes.get(base)
            if info is None:
                return False  # a class of elsewhere (Exception itself): it may show what it is given
            init = info.methods.get("__init__")
            if init is None:
                continue
            if "__str__" in info.methods:
                return False
            calls = _base_init_calls(init)
            if not calls:
                return True
            if not all(_forwards_everything(call) for call in calls):
                return False
        return False

    def _inherited_str(self, name: str) -> cst.FunctionDef | None:
        """The ``__str__`` class ``name`` inherits from a class of the module, if the nearest one is such."""
        for base in self._module_mro(name)[1:]:
            info = self.classes.get(base)
            if info is None:
                return None
            if "__str__" in info.methods:
                return info.methods["__str__"]
        return None

    def _module_mro(self, name: str) -> list[str]:
        """The module's own classes from ``name`` up, in Python's order for the usual mixin hierarchies."""
        prefix = f"{self.module_name}."
        order: list[str] = []

        def visit(current: str, path: frozenset[str]) -> None:
            order.append(current)
            for base in self.class_bases.get(current, ()):
                local = base[len(prefix) :] if base.startswith(prefix) else base
                if local in self.classes and local not in path:  # `class A(A)` cannot loop
                    visit(local, path | {local})

        visit(name, frozenset({name}))
        # Depth first, each class at its last place: a shared base comes after every class derived from it.
        last = {cls: i for i, cls in enumerate(order)}
        return [cls for i, cls in enumerate(order) if last[cls] == i]


def _carried_by_str(
    init: cst.FunctionDef, shown: cst.FunctionDef, params: list[str], keywords: list[str]
) -> set[int | str] | None:
    """The constructor arguments that reach what a class's own ``__str__`` returns (its message).

    ``self.passphrase_len = len(passphrase)`` and ``__str__`` returning "Password is too short." carry
    nothing. None when ``__str__`` reads ``self.args`` or the base's ``__str__``: then every argument shows.
    """
    read = _attributes_read(shown)
    if read is None:
        return None
    used: set[str] = set()
    for attr, value in self_assignments(init.body):
        if attr in read:
            used |= _shown_names(value)
    return _arguments_named(params, keywords, used)


def factory_shows(factory: cst.FunctionDef, cleaning: frozenset[str]) -> set[int | str]:
    """The arguments (positions and keywords) a module function returning an exception puts in what it returns.

    ``return TypeError(f"{name} must be str, not {value.__class__.__name__}")`` shows ``name``; the
    type of ``value`` says nothing of what it holds.
    """
    shown: set[str] = set()
    for returned in returned_values(factory):
        shown |= _shown_names(returned, cleaning)
    params = factory.params
    named = [p.name.value for p in (*params.posonly_params, *params.params)]
    return _arguments_named(named, [p.name.value for p in params.kwonly_params], shown)


def _arguments_named(params: list[str], keywords: list[str], used: set[str]) -> set[int | str]:
    """The positions and keywords by which a call can pass the parameters named in ``used``."""
    return {i for i, name in enumerate(params) if name in used} | {n for n in (*params, *keywords) if n in used}


def _attributes_read(shown: cst.FunctionDef) -> set[str] | None:
    """The ``self`` attributes a ``__str__`` returns; None when it shows ``self.args`` or a base's ``__str__``."""
    returned = [s.value for s in statements_in(shown.body) if isinstance(s, cst.Return) and s.value is not None]
    read: set[str] = set()
    for value in returned:
        for node in code_under(value, cst.Attribute):
            if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name) and node.value.value == "self":
                read.add(node.attr.value)
            elif isinstance(node, cst.Attribute) and node.attr.value == "__str__":
                return None
    return None if "args" in read else read


# Calls whose result says how big a value is, or whether it is set: `len(passphrase)` shows no passphrase.
_MEASURING_CALLS = frozenset({"len", "bool"})


def _shown_names(node: cst.CSTNode, cleaning: frozenset[str] = frozenset()) -> set[str]:
    """The names whose value an expression shows: not those it only measures (``len(passphrase)``), nor
    those it reads only through an attribute in ``cleaning`` (``value.__class__.__name__``)."""
    if isinstance(node, cst.Call) and name_of(node.func) in _MEASURING_CALLS:
        return set()
    if isinstance(node, cst.Attribute) and node.attr.value in cleaning:
        return set()
    if isinstance(node, cst.Name):
        return {node.value}
    return set().union(*(_shown_names(child, cleaning) for child in code_children(node)))


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    """Every name an expression reads (``f"{tax_id} for {country}"`` reads tax_id and country)."""
    return [n for n in code_under(node, cst.Name) if isinstance(n, cst.Name)]


def _base_init_calls(init: cst.FunctionDef) -> list[cst.Call]:
    """The ``super().__init__(...)`` and ``Base.__init__(self, ...)`` calls of a constructor."""
    return [
        call
        for call in calls_in(init.body, limit=500)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value == "__init__"
    ]


def _forwards_everything(call: cst.Call) -> bool:
    """``super().__init__(*args, **kwargs)``: a mixin passing on whatever it was given, unchanged."""
    return bool(call.args) and all(arg.star in ("*", "**") for arg in call.args)
