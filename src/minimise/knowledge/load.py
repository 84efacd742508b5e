"""Loading the shipped rule files and a team's extra rule files into one Knowledge, once per process."""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from minimise.knowledge.checks import load_checks
from minimise.knowledge.frameworks import build_frameworks
from minimise.knowledge.personal_data import build_personal_data
from minimise.knowledge.reader import RULE_FILES, SECTIONS, RuleDocument, load_document, qname_pattern
from minimise.knowledge.records import Check, Example, Knowledge
from minimise.knowledge.sanitizers import build_sanitizers
from minimise.knowledge.sinks import build_sinks
from minimise.knowledge.sources import build_sources
from minimise.shipped import rules_dir
from minimise.taxonomy import Taxonomy, load_taxonomy


def load_knowledge(extra_rule_files: tuple[str, ...] = (), non_personal: tuple[str, ...] = ()) -> Knowledge:
    """Load the shipped rules plus a team's extra rule files (any section of any rule file, appended)."""
    return _load_knowledge_cached(tuple(extra_rule_files), tuple(non_personal))


def shipped_documents() -> dict[str, RuleDocument]:
    directory = rules_dir()
    return {name: load_document(directory / name, shipped=True, allowed=SECTIONS[name]) for name in RULE_FILES}


def team_documents(paths: tuple[str, ...]) -> list[RuleDocument]:
    """A team's rule files, each validated against itself so errors name that file and line."""
    return [load_document(Path(p), shipped=False) for p in paths]


@lru_cache(maxsize=8)
def _load_knowledge_cached(extra_rule_files: tuple[str, ...], non_personal: tuple[str, ...]) -> Knowledge:
    from minimise.knowledge.compiled import cached_knowledge

    return cached_knowledge(
        lambda: build_knowledge(shipped_documents(), team_documents(extra_rule_files), non_personal),
        extra_rule_files,
        non_personal,
    )


def build_knowledge(
    shipped: dict[str, RuleDocument], team: list[RuleDocument], non_personal: tuple[str, ...] = ()
) -> Knowledge:
    """Merge each section across the shipped file that owns it and every team file, in that order."""
    digest = hashlib.sha256()
    for doc in list(shipped.values()) + team:
        digest.update(doc.reader.text.encode())
    for doc in team:
        non_personal = non_personal + tuple(doc.reader.strings(doc.data.get("non_personal"), ("non_personal",)))
    digest.update("\0".join(non_personal).encode())

    def owners(name: str) -> list[RuleDocument]:
        return [shipped[name]] + [doc for doc in team if any(k in doc.data for k in SECTIONS[name])]

    taxonomy = load_taxonomy()
    personal = build_personal_data(owners("personal_data.yaml"), taxonomy, non_personal)
    sources = build_sources(owners("sources.yaml"), taxonomy)
    sinks = build_sinks(owners("sinks.yaml"))
    sanitizers = build_sanitizers(owners("sanitizers.yaml"))
    checks = _checks(owners("checks.yaml"), taxonomy)
    frameworks = build_frameworks(
        owners("frameworks.yaml"), {kind.id for kind in sinks.models}, {kind.id for kind in sources.schemas}
    )
    snippets: list[Example] = personal.snippets + sources.snippets + sinks.snippets + sanitizers.snippets
    for doc in list(shipped.values()) + team:
        snippets += doc.reader.snippets(doc.data.get("examples"), ("examples",), "examples")
    routes, route_maps = sources.route_lists, sources.route_maps
    knowledge = Knowledge(
        classifier=personal.classifier,
        taxonomy=taxonomy,
        sensitivity=personal.sensitivity,
        request_objects=sources.request_objects(),
        request_params=frozenset(sources.request_params),
        request_attributes=frozenset(sources.request_attributes),
        request_ids=sources.request_ids,
        containers=frozenset(sources.containers),
        request_values=sources.values,
        input_functions=sources.input_functions,
        schemas=sources.schemas,
        route_methods=frozenset(routes["decorator_methods"]),
        route_receiver_words=frozenset(routes["receiver_words"]),
        route_receivers=qname_pattern(routes["receivers"]),
        route_parameter_calls=route_maps["parameter_calls"],
        route_skip_calls=frozenset(routes["skip_parameter_calls"]),
        route_skip_params=frozenset(routes["skip_parameters"]),
        console_methods=frozenset(sinks.consoles["decorator_methods"]),
        console_receivers=qname_pattern(sinks.consoles["receivers"]),
        console_libraries=frozenset(sinks.consoles["libraries"]),
        console_bases=qname_pattern(sinks.consoles["bases"]),
        console_sinks=frozenset(sinks.consoles["sinks"]),
        sinks=sinks.sinks,
        sinks_by_method=sinks.by_method(),
        wildcard_sinks=[s for s in sinks.sinks if s.wildcard_functions],
        sanitizers=sanitizers.sanitizers,
        cleaners=frozenset(sanitizers.cleaners),
        cleaning_methods=frozenset(sanitizers.cleaning_methods),
        cleaning_attributes=frozenset(sanitizers.cleaning_attributes),
        propagator_functions=frozenset(sanitizers.propagator_functions),
        propagator_methods=frozenset(sanitizers.propagator_methods),
        checks=checks,
        model_kinds=sinks.models,
        examples=personal.name_examples,
        frameworks=frameworks,
        labels=personal.labels,
        snippets=snippets,
    )
    knowledge.fingerprint = digest.hexdigest()[:16]
    return knowledge


def _checks(documents: list[RuleDocument], taxonomy: Taxonomy) -> dict[str, Check]:
    merged: dict[str, Check] = {}
    for doc in documents:
        part = load_checks(doc.reader, {"version": 1, "checks": doc.data.get("checks") or []}, taxonomy)
        for i, code in enumerate(part):
            if code in merged:
                doc.reader.fail(("checks", i, "code"), f"check {code} is already defined by an earlier rule file")
            merged[code] = part[code]
    return merged
