"""Recording, during the per-module pass, what the module exports; turned into a summary once lines are known."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import libcst as cst

from minimise.analysis.erasure_facts import USER, RawErasure, read_function
from minimise.analysis.facts import ClassInfo, Label, Value, is_registry, qname_root
from minimise.analysis.summary import (
    PRECONDITION_KEY,
    CallSite,
    Carried,
    ClassSummary,
    ErasureFacts,
    FunctionSummary,
    LabelTuple,
    ModuleSummary,
    ParamSink,
    key_digest,
)
from minimise.model import Step


def absolute_name(qname: str, module: str, is_package: bool) -> str:
    """``.utils.audit`` imported in ``app.views`` is ``app.utils.audit``; absolute names are unchanged."""
    if not qname.startswith("."):
        return qname
    dots = len(qname) - len(qname.lstrip("."))
    parts = module.split(".") if module else []
    if not is_package:
        parts = parts[:-1]
    if dots > 1:
        parts = parts[: len(parts) - (dots - 1)] if dots - 1 <= len(parts) else []
    rest = qname[dots:]
    return ".".join(p for p in [*parts, rest] if p)  # `from . import x`: the package itself, then x


@dataclass
class _RawFunction:
    node: cst.FunctionDef
    params: tuple[tuple[str, str], ...]
    is_method: bool
    returns: Value | None = None
    # (parameter, action, via, kind, protection, node, words, key: "" for the whole parameter)
    sinks: list[tuple[int, str, str, str, str, cst.CSTNode, str, str]] = field(default_factory=list)
    erasure: RawErasure | None = None
    popped: dict[int, set[str]] = field(default_factory=dict)


@dataclass
class _RawCall:
    node: cst.CSTNode
    callee: str
    method: str
    scope: str
    function: str | None
    cls: str | None
    args: list[
        tuple[
            int | str,
            frozenset[Label],
            frozenset[int],
            frozenset[tuple[int, str]],
            cst.CSTNode,
            dict[str, Value] | None,
            frozenset[tuple[int, str]],
        ]
    ]
    caught: bool = False
    console: bool = False
    transient: bool = False
    plain: tuple[tuple[int | str, bool], ...] = ()


class ExportRecorder:
    """Collects function parameters that reach sinks, unsettled calls, bindings and class attributes."""

    def __init__(
        self, module: str, path: str, is_package: bool, user_objects: frozenset[str], ttl_keywords: dict[str, int]
    ) -> None:
        self.module = module
        self.user_objects = user_objects
        self.ttl_keywords = ttl_keywords
        self.path = path
        self.is_package = is_package
        self.functions: dict[str, _RawFunction] = {}
        self.calls: list[_RawCall] = []
        # Set when the module keeps the web framework's sessions server-side (see ModuleSummary).
        self.server_sessions = False
        self.star_imports: list[str] = []
        self.class_bases: dict[str, tuple[str, ...]] = {}
        # Model links and declaration nodes, by class: what erasure needs to know about each model.
        self.relations: dict[str, dict[str, tuple[str, str, str]]] = {}
        self.id_columns: dict[str, list[str]] = {}
        self.owned: dict[str, list[str]] = {}
        self.messages: dict[str, tuple[int | str, ...]] = {}
        self.declared: dict[str, dict[str, cst.CSTNode]] = {}
        self.tables: dict[str, str] = {}

    def relation(self, cls: str, name: str, target: str, on_delete: str, related_name: str) -> None:
        self.relations.setdefault(cls, {})[name] = (target, on_delete, related_name)

    def id_column(self, cls: str, name: str) -> None:
        self.id_columns.setdefault(cls, []).append(name)

    def owned_field(self, cls: str, name: str) -> None:
        """A column of ``cls`` named like a person's secret that holds the object's own (its API key)."""
        self.owned.setdefault(cls, []).append(name)

    def message_of(self, cls: str, carried: set[int | str]) -> None:
        """The constructor arguments an exception class ``cls`` shows in its message."""
        self.messages[cls] = tuple(sorted(carried, key=str))

    def declared_at(self, cls: str, name: str, node: cst.CSTNode) -> None:
        self.declared.setdefault(cls, {}).setdefault(name, node)

    def absolute(self, qname: str) -> str:
        return absolute_name(qname, self.module, self.is_package)

    def _qualified(self, qname: str, local: set[str]) -> str:
        """A name of this module's own function or class, written as the project will look it up."""
        qname = self.absolute(qname)
        if qname_root(qname) in local:
            return f"{self.module}.{qname}" if self.module else qname
        return qname

    def function(self, key: str, node: cst.FunctionDef, params: tuple[tuple[str, str], ...], is_method: bool) -> None:
        self.functions[key] = _RawFunction(
            node, params, is_method, erasure=read_function(node, "." in key, self.user_objects, self.ttl_keywords)
        )

    def returns(self, key: str, value: Value) -> None:
        raw = self.functions.get(key)
        if raw is not None:
            raw.returns = value

    def param_sink(
        self,
        key: str,
        value: Value,
        named: frozenset[int],
        action: str,
        via: str,
        kind: str,
        node: cst.CSTNode,
        guarded: frozenset[int] = frozenset(),
    ) -> None:
        """Parameters of function ``key`` carried by ``value`` into a sink at ``node``.

        ``guarded``: parameters the sink is reached for only when a test on their own shape fails.
        """
        raw = self.functions.get(key)
        if raw is None:
            return
        words = _sink_words(action, via, kind)
        for index in value.params:
            keys = sorted(key_digest(k) for i, k in value.keyed_params if i == index) or [""]
            if keys == [""] and index in guarded:
                keys = [PRECONDITION_KEY]
            raw.sinks.extend((index, action, via, kind, "none", node, words, key) for key in keys)
        for index, protection in value.protected_params:
            raw.sinks.append((index, action, via, kind, protection, node, words, ""))

    def popped(self, key: str, value: Value, item: str) -> None:
        """Function ``key`` pops ``item`` off the parameters ``value`` is whole (``user_data.pop("email")``)."""
        raw = self.functions.get(key)
        if raw is None:
            return
        for index in value.params - {i for i, _ in value.keyed_params}:
            raw.popped.setdefault(index, set()).add(key_digest(item))

    def call(
        self,
        node: cst.CSTNode,
        callee: str,
        method: str,
        scope: str,
        function: str | None,
        cls: str | None,
        carried: list[tuple[int | str, Value, cst.CSTNode]],
        caught: bool = False,
        console: bool = False,
        transient: bool = False,
        settings: frozenset[int | str] = frozenset(),
    ) -> None:
        """Keep a call for the project link; ``settings``: the arguments that are literals or named settings."""
        args = [
            (ident, value.labels, value.params, value.protected_params, arg_node, value.fields, value.keyed_params)
            for ident, value, arg_node in carried
            if value.labels or value.params or value.protected_params
        ]
        plain = tuple(
            (ident, ident in settings)
            for ident, value, _node in carried
            if not (value.labels or value.params or value.protected_params)
        )
        absolute = self.absolute(callee)
        # A call of the project's own code is kept whatever it carries: the link tells a parameter every caller
        # fills with a setting (`verify(receipt, config.SHARED_SECRET)`) from one some caller fills with data.
        if args or (plain and self._own_code(absolute)):
            self.calls.append(
                _RawCall(node, absolute, method, scope, function, cls, args, caught, console, transient, plain)
            )

    def _own_code(self, callee: str) -> bool:
        """Whether a callee is this module's own or its top package's (`helper`, `self.send`, `app.mail.send`)."""
        root = qname_root(callee)
        top = self.module.split(".", 1)[0]
        return "." not in callee or root in ("self", "cls") or (bool(top) and root == top)

    def nodes(self) -> list[cst.CSTNode]:
        """Every node whose line the summary needs."""
        found: list[cst.CSTNode] = []
        for raw in self.functions.values():
            if raw.sinks or raw.erasure is not None:  # a function's own line is shown in sink steps and deletion paths
                found.append(raw.node.name)
                found.extend(s[5] for s in raw.sinks)
            if raw.erasure is not None:
                found.extend(raw.erasure.nodes())
        for declared in self.declared.values():
            found.extend(declared.values())
        for call in self.calls:
            found.append(call.node)
            found.extend(a[4] for a in call.args)
        return found

    def finish(
        self,
        lines: dict[int, int],
        column_of: Callable[[int, str], int],
        bindings: dict[str, Value],
        classes: dict[str, ClassInfo],
    ) -> ModuleSummary:
        summary = ModuleSummary(
            module=self.module,
            path=self.path,
            server_sessions=self.server_sessions,
            star_imports=tuple(self.star_imports),
        )
        registries = {name: value.fields for name, value in bindings.items() if not value.qname and is_registry(value)}
        local = {key.split(".", 1)[0] for key in self.functions} | set(self.class_bases) | set(registries)
        for name, value in bindings.items():
            if value.qname and value.qname != name:
                summary.bindings[name] = self._qualified(value.qname, local)
        for name, fields in registries.items():
            assert fields is not None
            summary.registries[name] = tuple(self._qualified(str(v.qname), local) for v in fields.values())
        for name, info in classes.items():
            summary.classes[name] = ClassSummary(
                bases=tuple(self._qualified(b, local) for b in self.class_bases.get(name, ())),
                attrs={
                    k[5:]: self._qualified(v.qname, local)
                    for k, v in info.attrs.items()
                    if k.startswith("self.") and v.qname
                },
                store=info.store.id if info.store is not None else None,
                fields={f: label.category for f, (_node, label) in info.personal_fields.items()},
                schema=info.collect.id if info.collect is not None else None,
                protected={
                    label.category: label.protection
                    for _node, label in info.personal_fields.values()
                    if label.protection != "none"
                },
                relations={
                    f: (self._qualified(t, local) if ":" not in t else t, on_delete, related)
                    for f, (t, on_delete, related) in self.relations.get(name, {}).items()
                },
                id_columns=tuple(self.id_columns.get(name, ())),
                lines={f: lines.get(id(n), 0) for f, n in self.declared.get(name, {}).items()},
                table=self.tables.get(name, ""),
                owned=tuple(self.owned.get(name, ())),
                message=self.messages.get(name),
                constructor_only=info.constructor_only() if info.store is not None else (),
                attr_params={k[5:]: min(v) for k, v in info.init_params.items()},
            )
        for key, raw in self.functions.items():
            returns = raw.returns
            summary.functions[key] = FunctionSummary(
                params=raw.params,
                sinks=[
                    ParamSink(
                        index, action, via, kind, protection, (Step(self.path, lines.get(id(node), 0), words),), key
                    )
                    for index, action, via, kind, protection, node, words, key in _unique(raw.sinks)
                ],
                returns_qname=self._qualified(returns.qname, local) if returns is not None and returns.qname else None,
                returns_params=tuple(sorted(returns.params)) if returns is not None else (),
                is_method=raw.is_method,
                line=lines.get(id(raw.node.name), 0),
                erasure=self._erasure(key, raw.erasure, lines, bindings, local),
                popped={i: tuple(sorted(keys)) for i, keys in raw.popped.items()},
            )
        for call in self.calls:
            summary.calls.append(
                CallSite(
                    callee=self._qualified(call.callee, local),
                    method=call.method,
                    line=lines.get(id(call.node), 0),
                    scope=call.scope,
                    function=call.function,
                    cls=call.cls,
                    caught=call.caught,
                    console=call.console,
                    transient=call.transient,
                    plain=call.plain,
                    args=tuple(
                        Carried(
                            ident=ident,
                            line=(line := lines.get(id(node), lines.get(id(call.node), 0))),
                            column=column_of(line, min((lb.identifier for lb in labels), default="")),
                            labels=tuple(sorted((lb.category, lb.identifier, lb.protection, lb.why) for lb in labels)),
                            params=tuple(sorted(params)),
                            protected=tuple(sorted(protected)),
                            fields=_field_labels(fields),
                            keyed=tuple(sorted((i, key_digest(k)) for i, k in keyed)),
                            field_params=_field_params(fields),
                        )
                        for ident, labels, params, protected, node, fields, keyed in call.args
                    ),
                )
            )
        return summary

    def _erasure_name(self, text: str, key: str, bindings: dict[str, Value], local: set[str]) -> str:
        """``Ticket`` -> ``app.models.Ticket``; ``self.x`` -> ``app.models.User().x``; USER stays."""
        head, dot, rest = text.partition(".")
        instance = head.endswith("()")
        name = head.removesuffix("()")
        if name == USER:
            return text
        if name == "self":
            owner = key.rsplit(".", 1)[0] if "." in key else ""
            qualified = f"{self.module}.{owner}()" if self.module else f"{owner}()"
            return qualified + dot + rest
        if name in local:
            qualified = f"{self.module}.{name}" if self.module else name
        elif name in bindings and bindings[name].qname:
            qualified = self._qualified(str(bindings[name].qname), local)
        else:
            qualified = self.absolute(name)
        return qualified + ("()" if instance else "") + dot + rest

    def _erasure(
        self,
        key: str,
        raw: RawErasure | None,
        lines: dict[int, int],
        bindings: dict[str, Value],
        local: set[str],
    ) -> ErasureFacts | None:
        if raw is None:
            return None

        def q(text: str) -> str:
            return self._erasure_name(text, key, bindings, local)

        def at(node: cst.CSTNode) -> int:
            return lines.get(id(node), 0)

        writes = []
        for cache, prefix, ttl, node in raw.cache_writes:
            cache_name = q(cache)
            # Django's cache expires entries after its default timeout unless told `timeout=None`.
            expires = ttl if ttl != "never" else ""
            if not ttl and cache_name.startswith("django.core.cache"):
                expires = "the cache's default timeout"
            writes.append((cache_name, prefix, expires, at(node)))
        facts = ErasureFacts(
            deletes=tuple(dict.fromkeys((q(r), at(n)) for r, n in raw.deletes)),
            blanks=tuple(dict.fromkeys((q(r), f, at(n)) for r, f, n in raw.blanks)),
            calls=tuple(dict.fromkeys((q(c), at(n)) for c, n in raw.calls)),
            copies=tuple(dict.fromkeys((q(m), f, s, at(n)) for m, f, s, n in raw.copies)),
            cache_writes=tuple(dict.fromkeys(writes)),
            cache_deletes=tuple(dict.fromkeys((q(c), p, at(n)) for c, p, n in raw.cache_deletes)),
            purges=tuple(dict.fromkeys((q(r), at(n)) for r, n in raw.purges)),
        )
        return None if facts.empty() else facts


def _sink_words(action: str, via: str, kind: str) -> str:
    verb = {"log": "logged", "share": "sent", "store": "stored", "collect": "collected"}.get(action, action)
    return f"{verb} by {via}" + (f" ({kind})" if kind and kind not in (action, via) else "")


def _field_labels(fields: dict[str, Value] | None) -> tuple[tuple[str, tuple[LabelTuple, ...]], ...] | None:
    """What each literal key of a dict argument carries, so a callee using one key takes only its labels."""
    if fields is None:
        return None
    return tuple(
        (key_digest(key), tuple(sorted((lb.category, lb.identifier, lb.protection, lb.why) for lb in value.labels)))
        for key, value in sorted(fields.items())
    )


def _field_params(fields: dict[str, Value] | None) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """The caller's parameters under each literal key of a dict argument, so a callee using one key takes only those."""
    if fields is None:
        return ()
    return tuple(
        (key_digest(key), tuple(sorted(value.params))) for key, value in sorted(fields.items()) if value.params
    )


def _unique(
    sinks: list[tuple[int, str, str, str, str, cst.CSTNode, str, str]],
) -> list[tuple[int, str, str, str, str, cst.CSTNode, str, str]]:
    seen: set[tuple[object, ...]] = set()
    kept = []
    for sink in sinks:
        key = (*sink[:5], sink[7])
        if key not in seen:
            seen.add(key)
            kept.append(sink)
    return kept
