"""What one module exports to the project-wide phase: bindings, function and class summaries, call sites.

A summary is small, holds no libcst node and round-trips through JSON, so it is cached with the
file's result and a partial scan can link against the summaries of files it did not parse.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from minimise.model import Step

SUMMARY_VERSION = 19
# Set on the summary of a file with nothing personal that matters only to the modules importing it:
# the project-wide phase uses it only when an analysed module reaches it (minimise.deferral).
REACHED_ONLY = "reached_only"

# A method's reads of `self.x` that its class's `__init__` set from its parameter p are passed on as the
# pseudo-parameter ATTRIBUTE_PARAM + p: the project link hands what reaches a sink that way to `__init__`.
ATTRIBUTE_PARAM = 1000

# (category, identifier, protection, why)
LabelTuple = tuple[str, str, str, str]


@dataclass(frozen=True, slots=True)
class ParamSink:
    """A parameter of a function that reaches a sink, directly or through further calls."""

    param: int
    action: str
    via: str
    kind: str
    protection: str
    steps: tuple[Step, ...] = ()
    key: str = ""  # only the parameter's item under this literal key (its digest) reaches the sink ("": all of it)


@dataclass(frozen=True, slots=True)
class Carried:
    """What one argument of a call carries: labelled data and the caller's own parameters."""

    ident: int | str  # position, keyword name, or "*" for a spread
    line: int
    column: int = 1
    labels: tuple[LabelTuple, ...] = ()
    params: tuple[int, ...] = ()
    protected: tuple[tuple[int, str], ...] = ()
    # For a dict with literal keys, what each key carries (None: not such a dict).
    fields: tuple[tuple[str, tuple[LabelTuple, ...]], ...] | None = None
    keyed: tuple[tuple[int, str], ...] = ()  # caller's parameters passed only by their item under a key
    # For a dict with literal keys, the caller's parameters each key carries (`{"to": to, "bcc": bcc}`).
    field_params: tuple[tuple[str, tuple[int, ...]], ...] = ()


@dataclass(frozen=True, slots=True)
class CallSite:
    """A call the module could not settle alone: its callee lives elsewhere in the project."""

    callee: str
    method: str
    line: int
    scope: str
    function: str | None  # local key of the enclosing function ("send", "Mailer.send")
    cls: str | None  # enclosing class, for ``self.`` receivers
    args: tuple[Carried, ...]
    # Made inside a `try` whose handler drops the exception: what the callee raises is not logged from here.
    caught: bool = False
    # Made by an operator command: what the callee prints is shown to whoever runs the command.
    console: bool = False
    # Its result is a local instance the function only reads or asks questions of (never saved, passed
    # on or returned): a model built that way (`User(password=typed).is_valid()`) writes no row.
    transient: bool = False
    # The other arguments, carrying nothing personal: (ident, known to be a constant or a setting).
    plain: tuple[tuple[int | str, bool], ...] = ()


@dataclass
class ErasureFacts:
    """What a function does that matters when a user is erased: deletes, blanked fields, calls, copies, caches.

    Receivers are qualified names with ``()`` for an instance (``app.models.User()``), ``USER`` for
    the signed-in or named user, ``self`` for the method's own instance.
    """

    deletes: tuple[tuple[str, int], ...] = ()  # (receiver deleted: instance, queryset or related accessor, line)
    blanks: tuple[tuple[str, str, int], ...] = ()  # (receiver, field set to an empty or anonymous value, line)
    calls: tuple[tuple[str, int], ...] = ()  # (callee, line): project helpers and recipients' delete APIs
    copies: tuple[tuple[str, str, str, int], ...] = ()  # (model, field, user field copied into it, line)
    cache_writes: tuple[tuple[str, str, str, int], ...] = ()  # (cache, key prefix, time to live or '', line)
    cache_deletes: tuple[tuple[str, str, int], ...] = ()  # (cache, key prefix, line)
    purges: tuple[tuple[str, int], ...] = ()  # (rows deleted by a date filter: a retention purge, line)

    def empty(self) -> bool:
        return not (self.deletes or self.blanks or self.calls or self.copies or self.cache_writes or self.cache_deletes)

    def to_json(self) -> list[object]:
        return [
            [list(d) for d in self.deletes],
            [list(b) for b in self.blanks],
            [list(c) for c in self.calls],
            [list(c) for c in self.copies],
            [list(w) for w in self.cache_writes],
            [list(d) for d in self.cache_deletes],
            [list(p) for p in self.purges],
        ]

    @staticmethod
    def from_json(data: Any) -> ErasureFacts:
        deletes, blanks, calls, copies, writes, cache_deletes, purges = data
        return ErasureFacts(
            deletes=tuple((str(a), int(b)) for a, b in deletes),
            blanks=tuple((str(a), str(b), int(c)) for a, b, c in blanks),
            calls=tuple((str(a), int(b)) for a, b in calls),
            copies=tuple((str(a), str(b), str(c), int(d)) for a, b, c, d in copies),
            cache_writes=tuple((str(a), str(b), str(c), int(d)) for a, b, c, d in writes),
            cache_deletes=tuple((str(a), str(b), int(c)) for a, b, c in cache_deletes),
            purges=tuple((str(a), int(b)) for a, b in purges),
        )


@dataclass
class FunctionSummary:
    params: tuple[tuple[str, str], ...]  # (name, kind): kind is pos, star, kwonly or kwargs
    sinks: list[ParamSink] = field(default_factory=list)
    returns_qname: str | None = None
    returns_params: tuple[int, ...] = ()
    is_method: bool = False
    line: int = 0
    erasure: ErasureFacts | None = None
    # Keys (digests) the function pops off a parameter (`user_data.pop("email")`): the rest of it,
    # shown or logged whole, no longer holds them.
    popped: dict[int, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class ClassSummary:
    bases: tuple[str, ...] = ()
    attrs: dict[str, str] = field(default_factory=dict)  # "logger" -> qualified name of its value
    store: str | None = None  # the model kind (django.db.models, sqlalchemy) when instances are stored
    fields: dict[str, str] = field(default_factory=dict)  # personal field -> category
    schema: str | None = None  # the schema kind (pydantic, marshmallow) when instances are request input
    # Links to other models: field -> (target as written and qualified, on_delete rule, related_name).
    relations: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    id_columns: tuple[str, ...] = ()  # plain columns naming a person's id (user_id) with no foreign key
    lines: dict[str, int] = field(default_factory=dict)  # declaration line of the class ("") and its fields
    table: str = ""  # __tablename__ / db_table, for foreign keys written as "users.id"
    protected: dict[str, str] = field(default_factory=dict)  # category -> protection the model applies
    # Columns named like a person's secret that hold the object's own (a provider's API key): not a person's.
    owned: tuple[str, ...] = ()
    # An exception class's constructor arguments (positions, keywords) that its message shows; None: unknown.
    message: tuple[int | str, ...] | None = None
    # A model's own ``__init__`` keywords that name no field or property of its body (``plain_text_password``).
    constructor_only: tuple[str, ...] = ()
    # Attributes `__init__` sets from one of its parameters (`self.to = to`): attribute -> parameter index.
    attr_params: dict[str, int] = field(default_factory=dict)


@dataclass
class ModuleSummary:
    module: str
    path: str
    bindings: dict[str, str] = field(default_factory=dict)
    # Module-level dicts of the project's classes or functions chosen at run time
    # (`PROVIDERS = {"smtp": SmtpProvider, ...}`): name -> every value's qualified name.
    registries: dict[str, tuple[str, ...]] = field(default_factory=dict)
    functions: dict[str, FunctionSummary] = field(default_factory=dict)
    classes: dict[str, ClassSummary] = field(default_factory=dict)
    calls: list[CallSite] = field(default_factory=list)
    # The module moves the web framework's session from the cookie to a server store (Flask-Session,
    # a custom `session_interface`): the cookie then holds only the session's id.
    server_sessions: bool = False
    # Modules whose every public name this one imports (`from .failed import *`), in import order.
    star_imports: tuple[str, ...] = ()
    reached_only: bool = False

    def to_json(self) -> dict[str, object]:
        return {
            "v": SUMMARY_VERSION,
            REACHED_ONLY: self.reached_only,
            "server_sessions": self.server_sessions,
            "star_imports": list(self.star_imports),
            "module": self.module,
            "bindings": self.bindings,
            "registries": {k: list(v) for k, v in self.registries.items()},
            "functions": {
                key: [
                    [list(p) for p in fn.params],
                    [_sink_json(s) for s in fn.sinks],
                    fn.returns_qname,
                    list(fn.returns_params),
                    fn.is_method,
                    fn.line,
                    fn.erasure.to_json() if fn.erasure is not None else None,
                    {str(i): list(keys) for i, keys in fn.popped.items()},
                ]
                for key, fn in self.functions.items()
            },
            "classes": {
                key: [
                    list(c.bases),
                    c.attrs,
                    c.store,
                    c.fields,
                    c.schema,
                    {f: list(r) for f, r in c.relations.items()},
                    list(c.id_columns),
                    c.lines,
                    c.table,
                    c.protected,
                    list(c.owned),
                    list(c.message) if c.message is not None else None,
                    list(c.constructor_only),
                    c.attr_params,
                ]
                for key, c in self.classes.items()
            },
            "calls": [
                [
                    c.callee,
                    c.method,
                    c.line,
                    c.scope,
                    c.function,
                    c.cls,
                    [
                        [
                            a.ident,
                            a.line,
                            a.column,
                            [list(lb) for lb in a.labels],
                            list(a.params),
                            [list(p) for p in a.protected],
                            [[k, [list(lb) for lb in labels]] for k, labels in a.fields]
                            if a.fields is not None
                            else None,
                            [list(k) for k in a.keyed],
                            [[k, list(params)] for k, params in a.field_params],
                        ]
                        for a in c.args
                    ],
                    c.caught,
                    c.console,
                    c.transient,
                    [[ident, constant] for ident, constant in c.plain],
                ]
                for c in self.calls
            ],
        }


def _sink_json(sink: ParamSink) -> list[object]:
    return [
        sink.param,
        sink.action,
        sink.via,
        sink.kind,
        sink.protection,
        [[s.path, s.line, s.message] for s in sink.steps],
        sink.key,
    ]


def summary_from_json(path: str, data: Any) -> ModuleSummary | None:
    """Rebuild a summary; any shape it does not expect makes it None (the file is then re-analysed)."""
    try:
        if not isinstance(data, dict) or data.get("v") != SUMMARY_VERSION:
            return None
        summary = ModuleSummary(
            module=str(data["module"]),
            path=path,
            server_sessions=bool(data["server_sessions"]),
            star_imports=tuple(str(m) for m in data["star_imports"]),
            reached_only=bool(data.get(REACHED_ONLY, False)),
        )
        summary.bindings = {str(k): str(v) for k, v in dict(data["bindings"]).items()}
        summary.registries = {str(k): tuple(str(q) for q in v) for k, v in dict(data["registries"]).items()}
        for key, fn in dict(data["functions"]).items():
            params, sinks, returns_qname, returns_params, is_method, line, erasure, popped = fn
            summary.functions[str(key)] = FunctionSummary(
                params=tuple((str(n), str(k)) for n, k in params),
                sinks=[
                    ParamSink(
                        int(s[0]),
                        str(s[1]),
                        str(s[2]),
                        str(s[3]),
                        str(s[4]),
                        tuple(Step(str(a), int(b), str(c)) for a, b, c in s[5]),
                        str(s[6]),
                    )
                    for s in sinks
                ],
                returns_qname=str(returns_qname) if returns_qname is not None else None,
                returns_params=tuple(int(i) for i in returns_params),
                is_method=bool(is_method),
                line=int(line),
                erasure=ErasureFacts.from_json(erasure) if erasure is not None else None,
                popped={int(i): tuple(str(k) for k in keys) for i, keys in dict(popped).items()},
            )
        for key, (
            bases,
            attrs,
            store,
            fields,
            schema,
            relations,
            id_columns,
            lines,
            table,
            protected,
            owned,
            message,
            constructor_only,
            attr_params,
        ) in dict(data["classes"]).items():
            summary.classes[str(key)] = ClassSummary(
                tuple(str(b) for b in bases),
                {str(k): str(v) for k, v in dict(attrs).items()},
                str(store) if store is not None else None,
                {str(k): str(v) for k, v in dict(fields).items()},
                str(schema) if schema is not None else None,
                {str(k): (str(a), str(b), str(c)) for k, (a, b, c) in dict(relations).items()},
                tuple(str(c) for c in id_columns),
                {str(k): int(v) for k, v in dict(lines).items()},
                str(table),
                {str(k): str(v) for k, v in dict(protected).items()},
                tuple(str(f) for f in owned),
                tuple(m if isinstance(m, int) else str(m) for m in message) if message is not None else None,
                tuple(str(k) for k in constructor_only),
                {str(k): int(v) for k, v in dict(attr_params).items()},
            )
        for callee, method, line, scope, function, cls, args, caught, console, transient, plain in data["calls"]:
            summary.calls.append(
                CallSite(
                    str(callee),
                    str(method),
                    int(line),
                    str(scope),
                    str(function) if function is not None else None,
                    str(cls) if cls is not None else None,
                    tuple(
                        Carried(
                            ident if isinstance(ident, int) else str(ident),
                            int(arg_line),
                            int(column),
                            tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in labels),
                            tuple(int(i) for i in params),
                            tuple((int(i), str(p)) for i, p in protected),
                            _fields_from_json(fields),
                            tuple((int(i), str(k)) for i, k in keyed),
                            tuple((str(k), tuple(int(i) for i in items)) for k, items in field_params),
                        )
                        for ident, arg_line, column, labels, params, protected, fields, keyed, field_params in args
                    ),
                    bool(caught),
                    bool(console),
                    bool(transient),
                    tuple((ident if isinstance(ident, int) else str(ident), bool(c)) for ident, c in plain),
                )
            )
        return summary
    except (KeyError, TypeError, ValueError):
        return None


def _fields_from_json(data: Any) -> tuple[tuple[str, tuple[LabelTuple, ...]], ...] | None:
    if data is None:
        return None
    return tuple((str(key), tuple((str(a), str(b), str(c), str(d)) for a, b, c, d in labels)) for key, labels in data)


# The key of a parameter sink reached only when a test on the parameter itself fails (`if not
# valid_shape(record): raise ValueError(record)`): no item of a caller's dict is under it, so a record
# a caller builds never reaches the sink, while a plain value it passes still does.
PRECONDITION_KEY = "precondition"


def key_digest(key: str) -> str:
    """A literal key as summaries keep it: only compared, and a key may be a person's data (``d["a@b.com"]``)."""
    return hashlib.blake2s(key.encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
