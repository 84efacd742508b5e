"""Reading one function's erasure facts from its syntax: what it deletes, blanks, copies, caches and calls."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import libcst as cst

from minimise.analysis.expiry import cache_expiry
from minimise.analysis.syntax import dotted_name, literal_string, name_of
from minimise.positions import code_children
from minimise.words import split_words

# Names that stand for the person whose account is deleted, when nothing better types them.
ACCOUNT_WORDS = frozenset({"user", "account", "customer", "member", "me", "profile", "person", "subscriber"})
USER = "USER"
# Field constructors that link a row to another model's row (their on_delete rule decides erasure).
RELATION_FIELDS = frozenset({"ForeignKey", "OneToOneField", "ForeignKeyField", "ParentalKey"})
# Queryset and manager steps that do not change which rows a chain selects.
_CHAIN_STEPS = frozenset(
    {
        "all",
        "filter",
        "filter_by",
        "exclude",
        "where",
        "select_related",
        "prefetch_related",
        "only",
        "defer",
        "order_by",
        "using",
        "objects",
        "query",
        "_default_manager",
        "select_for_update",
        "distinct",
    }
)
_LOADERS = frozenset(
    {"get", "first", "last", "one", "one_or_none", "get_or_404", "first_or_404", "latest", "earliest", "create"}
)
_CACHE_WORDS = frozenset({"cache", "redis", "memcache", "memcached", "rds"})
_CACHE_WRITES = frozenset({"set", "setex", "set_many", "hset", "hmset", "add", "psetex", "setnx"})
_CACHE_DELETES = frozenset({"delete", "delete_many", "unlink", "hdel", "delete_pattern", "clear", "expire"})
_MODEL_WRITES = frozenset({"create", "get_or_create", "update_or_create"})


@dataclass
class RawErasure:
    """Facts with their nodes (for lines) and names as written; the recorder qualifies them."""

    deletes: list[tuple[str, cst.CSTNode]] = field(default_factory=list)
    blanks: list[tuple[str, str, cst.CSTNode]] = field(default_factory=list)
    calls: list[tuple[str, cst.CSTNode]] = field(default_factory=list)
    copies: list[tuple[str, str, str, cst.CSTNode]] = field(default_factory=list)
    cache_writes: list[tuple[str, str, str, cst.CSTNode]] = field(default_factory=list)  # expiry: '' unset
    cache_deletes: list[tuple[str, str, cst.CSTNode]] = field(default_factory=list)
    purges: list[tuple[str, cst.CSTNode]] = field(default_factory=list)

    def nodes(self) -> Iterator[cst.CSTNode]:
        groups = (
            self.deletes,
            self.blanks,
            self.calls,
            self.copies,
            self.cache_writes,
            self.cache_deletes,
            self.purges,
        )
        for group in groups:
            for fact in group:
                yield fact[-1]  # type: ignore[misc]


def _is_accountish(name: str) -> bool:
    return bool(ACCOUNT_WORDS & set(split_words(name)))


class _Reader:
    def __init__(
        self, fn: cst.FunctionDef, in_class: bool, user_objects: frozenset[str], ttl_keywords: dict[str, int]
    ) -> None:
        self.user_objects = user_objects
        self.ttl_keywords = ttl_keywords
        self.types: dict[str, str] = {}
        self.facts = RawErasure()
        params = fn.params
        for index, param in enumerate((*params.posonly_params, *params.params, *params.kwonly_params)):
            name = param.name.value
            if index == 0 and in_class and name in ("self", "cls"):
                self.types[name] = "self"
                continue
            annotation = param.annotation.annotation if param.annotation is not None else None
            typed = dotted_name(annotation) if annotation is not None else None
            if typed and typed.split(".")[-1][:1].isupper():
                self.types[name] = typed + "()"
            elif _is_accountish(name):
                self.types[name] = USER

    # ------------------------------------------------------------ receivers
    def receiver(self, node: cst.BaseExpression) -> str | None:
        """What rows an expression selects: ``Model`` (a queryset), ``Model()``, ``USER.memberships``."""
        dotted = dotted_name(node)
        if dotted in self.user_objects:
            return USER
        if isinstance(node, cst.Name):
            known = self.types.get(node.value)
            if known is not None:
                return known
            if node.value[:1].isupper():
                return node.value
            return USER if _is_accountish(node.value) else None
        if isinstance(node, cst.Attribute):
            base = self.receiver(node.value)
            attr = node.attr.value
            if attr in _CHAIN_STEPS:
                return base
            if base is None:
                return None
            if base.endswith("()") and base != "self" or base in (USER, "self"):
                return f"{base}.{attr}"
            return None if "." in base else base
        if isinstance(node, cst.Call):
            method = name_of(node.func) or ""
            if method == "query" and node.args and isinstance(node.func, cst.Attribute):
                inner = dotted_name(node.args[0].value)  # session.query(Model)
                return inner if inner and inner.split(".")[-1][:1].isupper() else None
            if method in ("get_object_or_404", "get_list_or_404") and node.args:
                inner = dotted_name(node.args[0].value)
                return inner + "()" if inner else None
            if isinstance(node.func, cst.Attribute):
                base = self.receiver(node.func.value)
                if method in _CHAIN_STEPS:
                    return base
                if method in _LOADERS and base is not None and not base.endswith("()") and "." not in base:
                    return base + "()"
                if method in ("get",) and base is not None and base.endswith("()") is False:
                    return base
            if isinstance(node.func, cst.Name) and node.func.value[:1].isupper():
                return node.func.value + "()"  # a constructor
        return None

    # ------------------------------------------------------------ walking
    def block(self, body: cst.CSTNode) -> None:
        # Exact type tests: libcst's node classes are final, and isinstance goes through their ABC.
        assign_type, call_type = cst.Assign, cst.Call
        for node in _walk(body):
            node_type = type(node)
            if node_type is assign_type:
                self.assign(node)  # type: ignore[arg-type]
            elif node_type is call_type:
                self.call(node)  # type: ignore[arg-type]

    def assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            t = target.target
            if isinstance(t, cst.Name):
                typed = self.receiver(node.value)
                if typed is not None:
                    self.types[t.value] = typed
            elif isinstance(t, cst.Attribute):
                owner = self.receiver(t.value)
                if owner is None:
                    continue
                source = self.user_field(node.value)
                if source is not None and owner not in (USER,) and owner.endswith("()"):
                    self.facts.copies.append((owner.removesuffix("()"), t.attr.value, source, t))
                else:
                    self.facts.blanks.append((owner, t.attr.value, t))

    def user_field(self, node: cst.BaseExpression) -> str | None:
        """``user.email`` when the value is a field of the user, else None."""
        if isinstance(node, cst.Attribute) and self.receiver(node.value) == USER:
            return node.attr.value
        return None

    def call(self, node: cst.Call) -> None:
        func = node.func
        method = name_of(func) or ""
        dotted = dotted_name(func)
        if isinstance(func, cst.Attribute):
            owner_text = dotted_name(func.value) or ""
            if _CACHE_WORDS & set(split_words(owner_text.rsplit(".", 1)[-1])):
                self.cache_call(node, owner_text, method)
                return
            if method == "delete":
                if node.args and (name_of(func.value) or "") in ("session", "db", "Session"):
                    target = self.receiver(node.args[0].value)  # session.delete(user)
                else:
                    target = self.receiver(func.value)
                if target is not None:
                    self.facts.deletes.append((target, node))
                    if _date_filtered(func.value):
                        self.facts.purges.append((target, node))
                    return
            if method == "update" and node.args and all(a.keyword is not None for a in node.args):
                target = self.receiver(func.value)
                if target is not None:
                    for arg in node.args:
                        assert arg.keyword is not None
                        self.facts.blanks.append((target, arg.keyword.value, node))
            if method == "set_unusable_password":
                target = self.receiver(func.value)
                if target is not None:
                    self.facts.blanks.append((target, "password", node))
            owner = self.receiver(func.value)
            if owner is not None and (owner in (USER, "self") or owner.endswith("()")):
                self.facts.calls.append((f"{owner}.{func.attr.value}", node))
            elif dotted:
                self.facts.calls.append((dotted, node))
            if method in _MODEL_WRITES or (owner is None and method[:1].isupper()):
                self.copied(node, self.receiver(func.value) if method in _MODEL_WRITES else dotted)
        elif isinstance(func, cst.Name):
            if func.value == "delete" and node.args:
                target = self.receiver(node.args[0].value)  # sqlalchemy delete(Model)
                if target is not None:
                    self.facts.deletes.append((target, node))
            elif dotted:
                self.facts.calls.append((dotted, node))
            if func.value[:1].isupper():
                self.copied(node, func.value)

    def copied(self, node: cst.Call, model: str | None) -> None:
        if not model:
            return
        for arg in node.args:
            if arg.keyword is not None and (source := self.user_field(arg.value)) is not None:
                self.facts.copies.append((model.removesuffix("()"), arg.keyword.value, source, arg))

    def cache_call(self, node: cst.Call, owner: str, method: str) -> None:
        key = node.args[0].value if node.args and node.args[0].keyword is None else None
        prefix = _key_prefix(key) if key is not None else ""
        if method in _CACHE_DELETES:
            self.facts.cache_deletes.append((owner, prefix, node))
            return
        if method not in _CACHE_WRITES or key is None or not self.mentions_user(key):
            return
        self.facts.cache_writes.append((owner, prefix, cache_expiry(node, method, self.ttl_keywords), node))

    def mentions_user(self, node: cst.CSTNode) -> bool:
        for inner in _walk(node):
            inner_type = type(inner)
            if inner_type is cst.Attribute and self.receiver(inner.value) == USER:  # type: ignore[attr-defined]
                return True
            if inner_type is cst.Name and self.types.get(inner.value) == USER:  # type: ignore[attr-defined]
                return True
        return False


_DATE_LOOKUPS = ("__lt", "__lte", "__range", "__date__lt", "__date__lte")


def _date_filtered(chain: cst.BaseExpression) -> bool:
    """``Model.objects.filter(created__lt=cutoff)`` or ``query.where(Model.at < cutoff)``: rows older than a date."""
    node: cst.BaseExpression = chain
    while isinstance(node, (cst.Call, cst.Attribute)):
        if isinstance(node, cst.Call):
            for arg in node.args:
                if arg.keyword is not None and arg.keyword.value.endswith(_DATE_LOOKUPS):
                    return True
                if isinstance(arg.value, cst.Comparison) and any(
                    isinstance(c.operator, (cst.LessThan, cst.LessThanEqual)) for c in arg.value.comparisons
                ):
                    return True
            node = node.func
        else:
            node = node.value
    return False


def _key_prefix(node: cst.BaseExpression) -> str:
    """The literal start of a cache key: ``user:`` for ``f"user:{user.id}"``."""
    text = literal_string(node)
    if text is not None:
        return text
    if isinstance(node, cst.FormattedString):
        head = node.parts[0] if node.parts else None
        return head.value if isinstance(head, cst.FormattedStringText) else ""
    if isinstance(node, cst.BinaryOperation):
        return _key_prefix(node.left)
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "format":
        base = literal_string(node.func.value)
        return base.split("{", 1)[0] if base else ""
    return ""


# libcst's node classes are final: an exact type test is the isinstance test, without its ABC cost.
_NESTED_SCOPES = frozenset({cst.FunctionDef, cst.ClassDef, cst.Lambda})


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Code nodes in source order (no layout), without entering nested functions or classes (they are
    read on their own)."""
    stack = [node]
    nested = _NESTED_SCOPES
    while stack:
        current = stack.pop()
        yield current
        children = [c for c in code_children(current) if type(c) not in nested]
        stack.extend(reversed(children))


def read_function(
    fn: cst.FunctionDef, in_class: bool, user_objects: frozenset[str], ttl_keywords: dict[str, int]
) -> RawErasure:
    """``user_objects`` and ``ttl_keywords`` are the frameworks.yaml names of the signed-in user and of a cache
    write's time to live."""
    reader = _Reader(fn, in_class, user_objects, ttl_keywords)
    reader.block(fn.body)
    return reader.facts
