"""Matching a call to a sink by its resolved name alone, and which of its arguments carry data there."""

from __future__ import annotations

from minimise.knowledge import Knowledge, Sink


def sink_arg_kind(sink: Sink, method: str, ident: int | str) -> str | None:
    """The destination kind an argument reaches (``url`` for a URL argument), or None if it carries nothing."""
    if isinstance(ident, str) and ident in sink.ignore_keywords:
        return None
    if sink.args is not None and ident not in sink.args and ident != "*":
        return None
    if sink.kind == "http" and (ident in sink.url_for_method.get(method, sink.url_args) or ident == "params"):
        return "url"
    return sink.kind


def match_resolved_sink(knowledge: Knowledge, method: str, qname: str) -> Sink | None:
    """The sink a fully resolved call name reaches: ``logging.getLogger().info`` is logging.

    Only exact knowledge is used here: the name heuristics of the per-module pass (a receiver called
    ``logger``) are for receivers nothing resolves, and a project-resolved name is never that.
    """
    candidates = list(knowledge.sinks_by_method.get(method, ())) + knowledge.wildcard_sinks
    receiver = qname.rsplit(".", 1)[0] if "." in qname else None
    for sink in candidates:
        if sink.sql:
            continue
        if sink.functions is not None and sink.functions.match(qname):
            return sink
        if receiver and method in sink.methods and sink.objects is not None and sink.objects.match(receiver):
            return sink
    return None
