"""Builds protection and propagation knowledge from sanitizers.yaml sections."""

from __future__ import annotations

from dataclasses import dataclass, field

from minimise.knowledge.reader import RuleDocument, qname_pattern
from minimise.knowledge.records import Example, Sanitizer

SANITIZER_KEYS = {"id", "protection", "functions", "name_words", "method_names", "examples"}
PROTECTIONS = ("hashed", "encrypted", "masked", "tokenised")


@dataclass
class Sanitizers:
    sanitizers: list[Sanitizer] = field(default_factory=list)
    cleaners: set[str] = field(default_factory=set)
    cleaning_methods: set[str] = field(default_factory=set)
    cleaning_attributes: set[str] = field(default_factory=set)
    propagator_functions: set[str] = field(default_factory=set)
    propagator_methods: set[str] = field(default_factory=set)
    snippets: list[Example] = field(default_factory=list)


def build_sanitizers(documents: list[RuleDocument]) -> Sanitizers:
    out = Sanitizers()
    for doc in documents:
        reader, data = doc.reader, doc.data
        for i, entry in enumerate(reader.entries(data.get("sanitizers"), ("sanitizers",))):
            where: tuple[object, ...] = ("sanitizers", i)
            reader.mapping(entry, where, SANITIZER_KEYS)
            protection = reader.string(entry.get("protection"), where + ("protection",))
            if protection not in PROTECTIONS:
                reader.fail(where + ("protection",), "expected hashed, encrypted, masked or tokenised")
            sanitizer_id = reader.string(entry.get("id"), where + ("id",), default=protection)
            out.sanitizers.append(
                Sanitizer(
                    protection=protection,
                    functions=qname_pattern(reader.strings(entry.get("functions"), where + ("functions",))),
                    name_words=frozenset(reader.strings(entry.get("name_words"), where + ("name_words",))),
                    method_names=frozenset(reader.strings(entry.get("method_names"), where + ("method_names",))),
                    id=sanitizer_id,
                )
            )
            out.snippets += reader.snippets(entry.get("examples"), where + ("examples",), f"sanitizers:{sanitizer_id}")
        out.cleaners |= set(reader.strings(data.get("cleaners"), ("cleaners",)))
        out.cleaning_methods |= set(reader.strings(data.get("cleaning_methods"), ("cleaning_methods",)))
        out.cleaning_attributes |= set(reader.strings(data.get("cleaning_attributes"), ("cleaning_attributes",)))
        if "propagators" in data:
            propagators = reader.mapping(data["propagators"] or {}, ("propagators",), {"functions", "methods"})
            out.propagator_functions |= set(reader.strings(propagators.get("functions"), ("propagators", "functions")))
            out.propagator_methods |= set(reader.strings(propagators.get("methods"), ("propagators", "methods")))
    return out
