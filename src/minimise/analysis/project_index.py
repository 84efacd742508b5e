"""The project's names: every module summary, and what a dotted name or a call resolves to across them."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from minimise.analysis.summary import CallSite, FunctionSummary, ModuleSummary

# How many names a resolution may follow (aliases, re-exports, factories) before giving up.
MAX_RESOLVE_STEPS = 12


@dataclass(frozen=True)
class FunctionTarget:
    module: ModuleSummary
    key: str
    summary: FunctionSummary
    bound: bool  # called on an instance: the first parameter is the instance

    @property
    def name(self) -> str:
        return f"{self.module.module}.{self.key}"


@dataclass(frozen=True)
class ClassTarget:
    module: ModuleSummary
    key: str


@dataclass(frozen=True)
class InstanceTarget:
    """An instance of a project class: constructed, loaded by a query, or a parameter typed with it."""

    cls: ClassTarget


@dataclass(frozen=True)
class ModelWriteTarget:
    """A manager or class method that writes rows: ``User.objects.create``, ``Model.create``, ``.update``."""

    cls: ClassTarget
    method: str


@dataclass(frozen=True)
class ExternalTarget:
    qname: str


@dataclass(frozen=True)
class ChoiceTarget:
    """One of several project classes or functions, picked at run time from a registry dict."""

    options: tuple[FunctionTarget | ClassTarget | InstanceTarget | ModelWriteTarget | ExternalTarget, ...]


Target = FunctionTarget | ClassTarget | InstanceTarget | ModelWriteTarget | ExternalTarget | ChoiceTarget

# Manager and class methods that write what their keyword arguments say, and those that load an instance.
MODEL_WRITES = frozenset({"create", "get_or_create", "update_or_create", "update", "bulk_create", "insert", "replace"})
_MODEL_READS = frozenset(
    {"get", "first", "last", "one", "one_or_none", "get_or_404", "first_or_404", "latest", "earliest", "get_by_id"}
)
MANAGERS = frozenset({"objects", "query", "_default_manager"})


# Model classes from frameworks, written by the project like its own.
class Project:
    """Every module summary of the scanned tree, and name resolution across them."""

    def __init__(self, summaries: Iterable[ModuleSummary]) -> None:
        self.modules: dict[str, ModuleSummary] = {}
        for summary in summaries:
            self.modules.setdefault(summary.module, summary)
        # A project imported as ``app.utils`` may be scanned as ``backend/app/utils.py``: every unique
        # dotted suffix of a module name also names it.
        # Only suffixes that start at a package count, and never one that starts with a standard
        # library name: `shopapp/utils/logging.py` must not hide `import logging`.
        packages = {".".join(n.split(".")[:i]) for n in self.modules for i in range(1, n.count(".") + 1)}
        counts: dict[str, int] = {}
        owners: dict[str, str] = {}
        for name in self.modules:
            parts = name.split(".")
            for start in range(1, len(parts)):
                if ".".join(parts[: start + 1]) not in packages or parts[start] in sys.stdlib_module_names:
                    continue
                alias = ".".join(parts[start:])
                counts[alias] = counts.get(alias, 0) + 1
                owners[alias] = name
        self.aliases = {a: owners[a] for a, n in counts.items() if n == 1 and a not in self.modules}
        self._resolved: dict[str, Target | None] = {}
        self._mros: dict[tuple[str, str], list[ClassTarget]] = {}
        self._calls: dict[tuple[str, int], Target | None] = {}
        self._calls_by_function: dict[str, list[tuple[CallSite, FunctionTarget]]] | None = None

    def module(self, dotted: str) -> ModuleSummary | None:
        found = self.modules.get(dotted)
        if found is None and dotted in self.aliases:
            found = self.modules[self.aliases[dotted]]
        return found

    # ---------------------------------------------------------------- resolution
    def resolve(self, qname: str, steps: int = 0) -> Target | None:
        # Names resolve the same way throughout a link: remember the answer of each top-level question.
        if steps == 0:
            if qname not in self._resolved:
                self._resolved[qname] = self._resolve(qname, 0)
            return self._resolved[qname]
        return self._resolve(qname, steps)

    def _resolve(self, qname: str, steps: int) -> Target | None:
        if steps > MAX_RESOLVE_STEPS:
            return None
        tokens = qname.split(".")
        for cut in range(len(tokens) - 1, 0, -1):
            if any(t.endswith(("()", "[]")) for t in tokens[:cut]):
                continue
            module = self.module(".".join(tokens[:cut]))
            if module is not None:
                return self._within(module, tokens[cut:], steps)
        return ExternalTarget(qname)

    def _within(self, module: ModuleSummary, rest: list[str], steps: int) -> Target | None:
        head, tail = rest[0], rest[1:]
        called = head.endswith("()")
        name = head.removesuffix("()")
        if name in module.functions:
            function = module.functions[name]
            if not tail and not called:
                return FunctionTarget(module, name, function, bound=False)
            if tail == ["delay"] and not called:
                # A task queued with .delay(...) runs later with the same arguments. A module-level
                # task whose first parameter is `self` is bound (bind=True): Celery passes the task there.
                bound_task = not function.is_method and bool(function.params) and function.params[0][0] == "self"
                return FunctionTarget(module, name, function, bound=bound_task)
            if called and function.returns_qname:
                return self.resolve(".".join([function.returns_qname, *tail]), steps + 1)
            return None
        if name in module.classes:
            if not tail:
                return InstanceTarget(ClassTarget(module, name)) if called else ClassTarget(module, name)
            return self._member(ClassTarget(module, name), tail, instance=called, steps=steps)
        if name in module.bindings:
            target = module.bindings[name] + ("()" if called else "")
            return self.resolve(".".join([target, *tail]), steps + 1)
        registry = name.split("[", 1)[0]
        if registry in module.registries:
            return self._chosen(module.registries[registry], head, tail, steps)
        submodule = self.module(f"{module.module}.{name}")
        if submodule is not None and tail and not called:
            return self._within(submodule, tail, steps + 1)
        for star in module.star_imports:  # a package re-exporting its modules' names (`from .failed import *`)
            source = self.module(star)
            if source is not None and source is not module and steps < MAX_RESOLVE_STEPS:
                found = self._within(source, rest, steps + 1)
                if found is not None:
                    return found
        return None

    def _chosen(self, options: tuple[str, ...], head: str, tail: list[str], steps: int) -> Target | None:
        """``PROVIDERS[name].send(...)`` or ``PROVIDERS.get(name)().send(...)``: whichever the registry holds."""
        if "[]" in head:
            picked = head.split("[]", 1)[1]
        elif tail and tail[0].startswith("get()"):
            picked, tail = tail[0].removeprefix("get()"), tail[1:]
        else:
            return None
        found = []
        for option in options:
            target = self.resolve(".".join([option + picked, *tail]), steps + 1)
            if target is not None and not isinstance(target, ChoiceTarget) and target not in found:
                found.append(target)
        if not found:
            return None
        return found[0] if len(found) == 1 else ChoiceTarget(tuple(found))

    def constructor(self, cls: ClassTarget) -> FunctionTarget | None:
        """The project's own ``__init__`` a call to ``cls`` runs, bound to the new instance (None: a library's)."""
        for owner in self.mro(cls):
            key = f"{owner.key}.__init__"
            function = owner.module.functions.get(key)
            if function is not None:
                return FunctionTarget(owner.module, key, function, bound=True)
        return None

    def _member(self, cls: ClassTarget, rest: list[str], instance: bool, steps: int) -> Target | None:
        """``Cls().method``, ``Cls.method`` or an attribute of the instance, looked up through the bases."""
        head, tail = rest[0], rest[1:]
        called = head.endswith("()")
        name = head.removesuffix("()")
        for owner in self.mro(cls):
            key = f"{owner.key}.{name}"
            function = owner.module.functions.get(key)
            if function is not None:
                if _writes_keywords(cls, name, function, instance, rest):
                    return ModelWriteTarget(cls, name)
                if not tail and not called:
                    # A classmethod called on its class (`Manager.add_user(name)`) is bound to it: `cls` is given.
                    takes_cls = bool(function.params) and function.params[0][0] == "cls"
                    return FunctionTarget(
                        owner.module, key, function, bound=function.is_method and (instance or takes_cls)
                    )
                if called and function.returns_qname:
                    return self.resolve(".".join([function.returns_qname, *tail]), steps + 1)
                return None
            attr = owner.module.classes[owner.key].attrs.get(name)
            if attr is not None and instance:
                return self.resolve(".".join([attr + ("()" if called else ""), *tail]), steps + 1)
        if cls.module.classes[cls.key].store is not None and not instance:
            return self._model_access(cls, rest)
        # Nothing in the project defines it: a subclass of a library class inherits the library's methods
        # (`class MailBuilder(djmail.template_mail.MagicMailBuilder)`).
        for owner in self.mro(cls):
            for base in owner.module.classes[owner.key].bases:
                if isinstance(self.resolve(base, steps + 1), ExternalTarget):
                    return ExternalTarget(".".join([base + ("()" if instance else ""), *rest]))
        return None

    @staticmethod
    def _model_access(cls: ClassTarget, rest: list[str]) -> Target | None:
        """``User.objects.create`` writes; ``User.query.filter_by(...).first()`` loads an instance."""
        if len(rest) > 1 and rest[0] not in MANAGERS:
            return None
        last = rest[-1]
        method = last.removesuffix("()")
        if not last.endswith("()") and method in MODEL_WRITES:
            return ModelWriteTarget(cls, method)
        if last.endswith("()") and method in _MODEL_READS:
            return InstanceTarget(cls)
        return None

    def mro(self, cls: ClassTarget, depth: int = 0) -> list[ClassTarget]:
        if depth == 0:
            key = (cls.module.module, cls.key)
            if key not in self._mros:
                self._mros[key] = self._mro(cls, 0)
            return self._mros[key]
        return self._mro(cls, depth)

    def _mro(self, cls: ClassTarget, depth: int) -> list[ClassTarget]:
        found = [cls]
        if depth > 8:
            return found
        for base in cls.module.classes[cls.key].bases:
            target = self.resolve(base)
            if isinstance(target, ClassTarget) and target not in found:
                found.extend(t for t in self.mro(target, depth + 1) if t not in found)
        return found

    def calls_into(self, names: set[str]) -> dict[str, list[tuple[CallSite, FunctionTarget]]]:
        """The project's calls of the functions named (module-qualified), each with the target it resolves to."""
        if not names:
            return {}
        if self._calls_by_function is None:  # built once for every pass over the points that asks
            self._calls_by_function = {}
            for module in self.modules.values():
                for site in module.calls:
                    target = self.resolve_call(site, module)
                    if isinstance(target, FunctionTarget):
                        self._calls_by_function.setdefault(target.name, []).append((site, target))
        return {name: self._calls_by_function[name] for name in names if name in self._calls_by_function}

    def resolve_call(self, site: CallSite, module: ModuleSummary) -> Target | None:
        key = (module.module, id(site))
        if key not in self._calls:
            self._calls[key] = self._resolve_call(site, module)
        return self._calls[key]

    def _resolve_call(self, site: CallSite, module: ModuleSummary) -> Target | None:
        callee = site.callee
        head, _, rest = callee.partition(".")
        if head in ("self", "cls") and site.cls is not None and site.cls in module.classes and rest:
            return self._member(ClassTarget(module, site.cls), rest.split("."), instance=True, steps=0)
        return self.resolve(callee)


# ------------------------------------------------------------------- the link


def _writes_keywords(cls: ClassTarget, name: str, function: FunctionSummary, instance: bool, rest: list[str]) -> bool:
    """A model's own ``create(cls, **kwargs)`` (a CRUD mixin): its keywords are the row's fields."""
    if instance or len(rest) != 1 or name not in MODEL_WRITES or cls.module.classes[cls.key].store is None:
        return False
    return any(kind == "kwargs" for _name, kind in function.params)


def parameters_bound(function: FunctionSummary, ident: int | str, bound: bool) -> list[int]:
    """Which parameters of the callee an argument binds to."""
    params = function.params
    if isinstance(ident, int):
        position = ident + (1 if bound else 0)
        if position < len(params) and params[position][1] == "pos":
            return [position]
        return [i for i, (_, kind) in enumerate(params) if kind == "star"]
    if ident == "*":
        return [i for i, (_, kind) in enumerate(params) if kind in ("star", "kwargs")]
    for i, (name, kind) in enumerate(params):
        if name == ident and kind in ("pos", "kwonly"):
            return [i]
    return [i for i, (_, kind) in enumerate(params) if kind == "kwargs"]
