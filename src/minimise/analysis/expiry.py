"""How long a cache write keeps its value, read from the call's arguments."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.syntax import dotted_name, name_of


def cache_expiry(node: cst.Call, method: str, ttl_keywords: dict[str, int]) -> str:
    """How long a cache write keeps its value: ISO 8601 for a literal, the expression's name otherwise.

    ``ttl_keywords`` (rules/frameworks.yaml) gives each time-to-live keyword its units per second.
    """
    unit = 1
    ttl: cst.BaseExpression | None = None
    for arg in node.args:
        if arg.keyword is not None and arg.keyword.value in ttl_keywords:
            ttl, unit = arg.value, ttl_keywords[arg.keyword.value]
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
    if isinstance(ttl, cst.Call) and name_of(ttl.func) == "timedelta":
        return _timedelta(ttl) or _source(ttl)
    text = dotted_name(ttl)
    if text is None:
        return _source(ttl)
    return f"{text} ms" if unit == 1000 else f"{text} s"


# timedelta keywords in ISO 8601 order: the date part (weeks, days), then the time part.
_DATE_PARTS = (("weeks", "W"), ("days", "D"))
_TIME_PARTS = (("hours", "H"), ("minutes", "M"), ("seconds", "S"))


def _timedelta(call: cst.Call) -> str:
    """``timedelta(minutes=5)`` as ``PT5M``; empty when any part is not a literal integer."""
    amounts: dict[str, str] = {}
    for arg in call.args:
        if arg.keyword is None or not isinstance(arg.value, cst.Integer):
            return ""
        amounts[arg.keyword.value] = arg.value.value.replace("_", "")
    known = {key for key, _ in (*_DATE_PARTS, *_TIME_PARTS)}
    if not amounts or set(amounts) - known:
        return ""
    date = "".join(amounts[k] + d for k, d in _DATE_PARTS if k in amounts)
    time = "".join(amounts[k] + d for k, d in _TIME_PARTS if k in amounts)
    return "P" + date + ("T" + time if time else "")


def _source(node: cst.BaseExpression) -> str:
    text = " ".join(cst.Module([]).code_for_node(node).split())
    return text if len(text) <= 40 else text[:39] + "…"
