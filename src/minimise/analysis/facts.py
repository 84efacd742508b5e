"""What the analysis knows about values, scopes and classes, and the raw data points it emits."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

import libcst as cst

from minimise.knowledge import SchemaKind


@dataclass(frozen=True, slots=True)
class Label:
    """One category of personal data a value carries, and how it is protected."""

    category: str
    identifier: str
    protection: str = "none"
    why: str = ""


@dataclass(slots=True)
class Value:
    """What the analysis knows about an expression's value."""

    labels: frozenset[Label] = frozenset()
    qname: str | None = None
    origin: str | None = None  # request container this value maps keys from
    request: str | None = None  # request object id, for `request` itself
    fields: dict[str, Value] | None = None
    literal: str | None = None
    constant: bool = False
    params: frozenset[int] = frozenset()
    input_node: cst.CSTNode | None = None
    input_category: str | None = None
    input_via: str = "input"
    # Parameters whose value reaches this one only through a protecting call: (index, protection).
    protected_params: frozenset[tuple[int, str]] = frozenset()
    # Parameters of which only the item under a literal key reaches this value (``params["type"]``):
    # (index, key). A parameter in ``params`` with no entry here reaches it whole.
    keyed_params: frozenset[tuple[int, str]] = frozenset()
    # Words of the collection a loop variable came from (``customers`` for ``c``).
    owner_words: tuple[str, ...] = ()
    node: cst.CSTNode | None = None
    # Never empty (``"@" + login``, ``f"user {id}"``): in ``x or fallback`` the fallback is never used.
    truthy: bool = False
    # Made by a cleaner (`tarfile.open(upload)`, `loop.getaddrinfo(host)`): its items, attributes and
    # methods' results are no one's data either (an archive member's name is a file's).
    cleaned: bool = False


EMPTY = Value()
# The key under which a summary records a parameter that is only iterated (``for k in params``):
# of a caller's dict that is its keys, which are literals, and of a list its elements.
ITERATED = "\0iterated"


def qname_root(qname: str) -> str:
    """The name a qualified name starts from: `PROVIDERS` of `PROVIDERS[]().send`, `mail` of `mail.send()`."""
    return qname.split(".", 1)[0].split("[", 1)[0].removesuffix("()")


def is_registry(value: Value) -> bool:
    """A dict literal whose every value is a name and nothing personal: classes or functions to choose from."""
    if not value.fields or value.labels or value.params:
        return False
    return all(v.qname and not v.labels and not v.params and not v.fields for v in value.fields.values())


def outside_its_frame(value: Value) -> Value:
    """``value`` as another function sees it: the parameters it carries are its writer's, not theirs.

    ``self.resolver = resolvername`` in one method says nothing of the second parameter of another
    method that reads ``self.resolver``.
    """
    if not (value.params or value.protected_params or value.keyed_params or value.fields):
        return value
    fields = {k: outside_its_frame(v) for k, v in value.fields.items()} if value.fields else value.fields
    return replace(value, params=frozenset(), protected_params=frozenset(), keyed_params=frozenset(), fields=fields)


# A value known to carry no personal data (a comparison, a length): keyword names next to it do not count.
CLEAN = Value(constant=True)
CLEANED = Value(constant=True, cleaned=True)
# Tests set this to surface analysis bugs that production runs step over.
STRICT = bool(os.environ.get("MINIMISE_STRICT"))


def union(values: list[Value]) -> Value:
    values = [v for v in values if v is not EMPTY]
    if not values:
        return EMPTY
    if len(values) == 1:
        return values[0]
    labels: set[Label] = set()
    params: set[int] = set()
    protected: set[tuple[int, str]] = set()
    keyed: set[tuple[int, str]] = set()
    whole: set[int] = set()
    qnames: set[str] = set()
    origin = None
    for v in values:
        labels |= v.labels
        params |= v.params
        protected |= v.protected_params
        keyed |= v.keyed_params
        whole |= v.params - {i for i, _ in v.keyed_params}
        origin = origin or v.origin
        if v.qname:
            qnames.add(v.qname)
    # `client or httpx.Client()` is still an httpx client.
    qname = qnames.pop() if len(qnames) == 1 else None
    return Value(
        fields=_merged_fields(values),
        labels=frozenset(labels),
        origin=origin,
        params=frozenset(params),
        protected_params=frozenset(protected),
        keyed_params=frozenset((i, k) for i, k in keyed if i not in whole),
        qname=qname,
        constant=all(v.constant for v in values),  # `a if c else b` of two clean values is clean
    )


def _merged_fields(values: list[Value]) -> dict[str, Value] | None:
    """The keys of one dict or another (`{"Authorization": t} if t else {}`): each key's values joined."""
    if any(v.fields is None for v in values):
        return None
    merged: dict[str, list[Value]] = {}
    for v in values:
        for key, item in (v.fields or {}).items():
            merged.setdefault(key, []).append(item)
    return {key: union(items) for key, items in merged.items()}


def named_by_key(label: Label, value: Value) -> Label:
    """The label a keyword or key gives a value it knows nothing else of, with the protection the value went through.

    ``password=generate_password_hash(raw)`` stores a hash even when ``raw`` says nothing by its name.
    """
    if label.protection != "none" or not value.protected_params or value.params:
        return label
    protection = sorted(p for _, p in value.protected_params)[0]
    return Label(label.category, label.identifier, protection, label.why)


def protect(value: Value, protection: str) -> Value:
    if not value.labels and not value.params and not value.protected_params:
        # The hash of a literal or of nothing personal (`hash_password("demo")`): no name makes it clear text.
        return CLEAN
    return Value(
        labels=frozenset(Label(lb.category, lb.identifier, protection, lb.why) for lb in value.labels),
        protected_params=value.protected_params | frozenset((i, protection) for i in value.params),
    )


@dataclass(slots=True)
class RawPoint:
    """A data point before its position is known."""

    node: cst.CSTNode
    action: str
    category: str
    identifier: str
    via: str
    protection: str
    scope: str
    kind: str
    trace: tuple[str, ...] = ()
    # How long a cache keeps the value ("PT300S", "OTP_TTL s", "never"); empty when no TTL is seen.
    expires: str = ""


@dataclass
class ClassInfo:
    name: str
    words: tuple[str, ...]
    store: SchemaKind | None = None
    collect: SchemaKind | None = None
    attrs: dict[str, Value] = field(default_factory=dict)
    methods: dict[str, cst.FunctionDef] = field(default_factory=dict)
    field_types: dict[str, str] = field(default_factory=dict)
    # Derived from SQLModel: a table only with ``table=True``, an API schema otherwise.
    sqlmodel: bool = False
    # Personal fields declared in this class body: name -> (declaring node, label), for subclasses.
    personal_fields: dict[str, tuple[cst.CSTNode, Label]] = field(default_factory=dict)
    # Fields a validator or setter protects before they are stored (``@validates("password")``).
    protected_fields: dict[str, str] = field(default_factory=dict)
    # Every name the class body assigns, in order (its fields, relations included).
    assigned: tuple[str, ...] = ()
    # `self.x` set by `__init__` from its parameters: "self.x" -> their indices.
    init_params: dict[str, frozenset[int]] = field(default_factory=dict)

    def constructor_only(self) -> tuple[str, ...]:
        """The keywords the class's own ``__init__`` takes that its body declares as no field or property.

        ``User(plain_text_password=raw)`` hands a model's constructor a value it may hash or keep in
        memory: without a column of that name, the keyword is not written to the table.
        """
        init = self.methods.get("__init__")
        if init is None or not init.params.params:
            return ()
        named = [p.name.value for p in (*init.params.params[1:], *init.params.kwonly_params)]
        declared = set(self.assigned) | set(self.methods)
        return tuple(name for name in named if name not in declared)


@dataclass
class Scope:
    name: str
    parent: Scope | None
    vars: dict[str, Value] = field(default_factory=dict)
    words: tuple[str, ...] = ()
    cls: ClassInfo | None = None
    returns: list[Value] = field(default_factory=list)
    function: bool = False
    # The function's key in the module summary ("send", "Mailer.send"); None outside exported functions.
    fn_key: str | None = None
    # Assignments to personal fields of objects (``user.email = x``), kept until the function shows
    # that it persists something (save, commit, add): (target node, receiver, attr, value).
    pending_writes: list[tuple[cst.CSTNode, str, str | None, str, Value]] = field(default_factory=list)
    persists: bool = False
    # Names whose object the function changes in place (an item set, a mutator called on it).
    mutated: set[str] = field(default_factory=set)
    # Names assigned anew in the function: a parameter rebound no longer holds its caller's object.
    rebound: set[str] = field(default_factory=set)
    # Functions defined directly in this scope, by name.
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    # Parameters whose own name already classifies them: their data points are reported where they are used.
    named_params: frozenset[int] = frozenset()
    # The label each of those parameters' names gave it, by index.
    param_labels: dict[int, Label] = field(default_factory=dict)
    # An operator command (a click/typer command, a Django management command's method): what it
    # prints or raises is shown to the operator who ran it.
    console: bool = False
    # Inside a `try` whose handler drops what it catches (no raise, no use of the exception): an
    # exception raised by a call made here never reaches a log from this call.
    swallowing: int = 0
    # What each element of the tuples the function returns carries, one entry per `return a, b`;
    # None once a return gives anything but a tuple.
    element_returns: list[tuple[Value, ...]] | None = field(default_factory=list)
    node: cst.FunctionDef | None = None
    # The plain assignments of the function, name -> last value, read once when a URL is a local name.
    assigned: dict[str, cst.BaseExpression] | None = None

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.vars.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None


def keep_what_a_branch_may_skip(before: dict[str, Value], scope: Scope) -> None:
    """A name rebound in a branch may still hold what it held before (`if isinstance(to, User): to = to.email`)."""
    for name, earlier in before.items():
        now = scope.vars.get(name)
        if now is not None and now is not earlier and (earlier.params or earlier.keyed_params):
            scope.vars[name] = union([earlier, now])
