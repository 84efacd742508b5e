"""Rewrites a call that runs a function later (`add_task(f, x)`, `Thread(target=f)`) as the call it defers."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.syntax import literal_string
from minimise.knowledge.records import Deferral


def deferred_call(
    node: cst.Call, func: cst.BaseExpression, method: str, qname: str | None, known: dict[str, Deferral]
) -> cst.Call | None:
    """The call ``node`` runs later (`add_task(send, email)` runs `send(email)`), if it defers one.

    ``known`` maps qualified names and method names to their deferrals (frameworks `deferred_calls`).
    """
    deferral = known.get(qname) if qname else None
    if deferral is None and isinstance(func, cst.Attribute) and "." not in method:
        deferral = known.get(method)
    return _rewritten(node, deferral) if deferral is not None else None


def _rewritten(node: cst.Call, deferral: Deferral) -> cst.Call | None:
    """The call ``node`` defers, made of its own argument nodes; None when its function is not named."""
    positional = [arg for arg in node.args if arg.keyword is None and not arg.star]
    keywords = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}

    def placed(keyword: str | None, position: int) -> cst.Arg | None:
        if keyword is not None and keyword in keywords:
            return keywords[keyword]
        return positional[position] if position < len(positional) else None

    function = placed(deferral.keyword, deferral.position)
    # A named function or method only: a call's result or a literal is not known to be one.
    if function is None or not isinstance(function.value, (cst.Name, cst.Attribute)):
        return None
    if deferral.passes_through:
        after = list(node.args)[list(node.args).index(function) + 1 :]
        return cst.Call(func=function.value, args=after)
    given: list[cst.Arg] = []
    args = placed(*deferral.args_at) if deferral.args_at else None
    if args is not None:
        if isinstance(args.value, (cst.Tuple, cst.List)):
            given.extend(
                cst.Arg(value=element.value) for element in args.value.elements if isinstance(element, cst.Element)
            )
        else:
            given.append(cst.Arg(value=args.value, star="*"))
    kwargs = placed(*deferral.kwargs_at) if deferral.kwargs_at else None
    if kwargs is not None:
        if isinstance(kwargs.value, cst.Dict):
            for element in kwargs.value.elements:
                key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
                if isinstance(element, cst.DictElement) and key is not None and key.isidentifier():
                    given.append(cst.Arg(value=element.value, keyword=cst.Name(key)))
        else:
            given.append(cst.Arg(value=kwargs.value, star="**"))
    return cst.Call(func=function.value, args=given)
