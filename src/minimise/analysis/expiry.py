"""How long a cache write keeps its value, read from the call's arguments."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.syntax import dotted_name, name_of
from minimise.analysis.vocabulary import TTL_KEYWORDS


def cache_expiry(node: cst.Call, method: str) -> str:
    """How long a cache write keeps its value: ISO 8601 for a literal, the expression's name otherwise."""
    unit = 1
    ttl: cst.BaseExpression | None = None
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in TTL_KEYWORDS:
            ttl, unit = arg.value, TTL_KEYWORDS[arg.keyword.value]
    positional = [a.value for a in node.args if a.keyword is None and not a.star]
    if ttl is None and method in ("setex", "psetex") and len(positional) >= 2:
        ttl, unit = positional[1], (1000 if method == "psetex" else 1)
    elif ttl is None and method in ("set", "add", "set_many") and len(positional) == (2 if method == "set_many" else 3):
        ttl = positional[-1]  # Django's cache.set(key, value, timeout)
    if ttl is None:
        return ""
    if name_of(ttl) == "None":
        return "never"
    if isinstance(ttl, cst.Integer):
        amount = int(ttl.value.replace("_", ""), 0)
        if unit == 1000:
            return f"PT{amount // 1000}S" if amount % 1000 == 0 else f"PT{amount / 1000:g}S"
        return f"PT{amount}S"
    text = dotted_name(ttl) or " ".join(cst.Module([]).code_for_node(ttl).split())
    if len(text) > 40:
        text = text[:39] + "…"
    return f"{text} ms" if unit == 1000 else f"{text} s"
