"""Builds the collection knowledge from sources.yaml sections: requests, containers, schemas, routes."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from minimise.knowledge.reader import RuleDocument, RuleReader, qname_pattern
from minimise.knowledge.records import Example, SchemaKind
from minimise.taxonomy import Taxonomy

REQUEST_KEYS = {"id", "objects", "params", "attributes", "examples"}
INPUT_FUNCTION_KEYS = {"function", "category", "examples"}
SCHEMA_KEYS = {
    "id",
    "bases",
    "not_bases",
    "field_calls",
    "annotated_fields",
    "meta_fields",
    "inherited_fields",
    "action",
    "examples",
}
_ROUTE_LISTS = ("decorator_methods", "receiver_words", "receivers", "skip_parameter_calls", "skip_parameters")
_ROUTE_MAPS = ("parameter_calls",)


@dataclass
class Sources:
    request_patterns: list[str] = field(default_factory=list)
    request_params: set[str] = field(default_factory=set)
    request_attributes: set[str] = field(default_factory=set)
    request_ids: dict[str, str] = field(default_factory=dict)
    containers: set[str] = field(default_factory=set)
    values: dict[str, str] = field(default_factory=dict)
    input_functions: dict[str, str | None] = field(default_factory=dict)
    schemas: list[SchemaKind] = field(default_factory=list)
    route_lists: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in _ROUTE_LISTS})
    route_maps: dict[str, dict[str, str]] = field(default_factory=lambda: {k: {} for k in _ROUTE_MAPS})
    snippets: list[Example] = field(default_factory=list)

    def request_objects(self) -> re.Pattern[str] | None:
        return qname_pattern(self.request_patterns)


def schema_kind(
    reader: RuleReader, entry: Any, where: tuple[object, ...], section: str
) -> tuple[SchemaKind, list[Example]]:
    reader.mapping(entry, where, SCHEMA_KEYS)
    kind = SchemaKind(
        id=reader.string(entry.get("id"), where + ("id",)),
        bases=qname_pattern(reader.strings(entry.get("bases"), where + ("bases",))),
        not_bases=qname_pattern(reader.strings(entry.get("not_bases"), where + ("not_bases",))),
        field_calls=qname_pattern(reader.strings(entry.get("field_calls"), where + ("field_calls",))),
        annotated_fields=bool(entry.get("annotated_fields", False)),
        meta_fields=bool(entry.get("meta_fields", False)),
        inherited_fields=_inherited_fields(reader, entry.get("inherited_fields"), where + ("inherited_fields",)),
    )
    return kind, reader.snippets(entry.get("examples"), where + ("examples",), f"{section}:{kind.id}")


def _inherited_fields(
    reader: RuleReader, value: Any, where: tuple[object, ...]
) -> dict[str, tuple[tuple[str, str], ...]]:
    """``{base: ["username", "password [hashed]"]}``: each base's fields, with the protection it gives them."""
    if value is None:
        return {}
    reader.mapping(value, where, set(value))
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for base, names in value.items():
        fields = []
        for text in reader.strings(names, where + (base,)):
            match = _INHERITED_FIELD.fullmatch(text)
            if match is None:
                reader.fail(where + (base,), f"expected a field name, optionally followed by [protection]: {text!r}")
            fields.append((match["name"], match["protection"] or "none"))
        found[str(base)] = tuple(fields)
    return found


_INHERITED_FIELD = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?: \[(?P<protection>hashed|encrypted)\])?")


def _replace_by_id(kinds: list[SchemaKind], kind: SchemaKind) -> None:
    """A later file's entry with a known id replaces the earlier one (a team overrides a shipped entry)."""
    for i, known in enumerate(kinds):
        if known.id == kind.id:
            kinds[i] = kind
            return
    kinds.append(kind)


def build_sources(documents: list[RuleDocument], taxonomy: Taxonomy) -> Sources:
    out = Sources()
    for doc in documents:
        reader, data = doc.reader, doc.data
        for i, entry in enumerate(reader.entries(data.get("requests"), ("requests",))):
            where: tuple[object, ...] = ("requests", i)
            reader.mapping(entry, where, REQUEST_KEYS)
            rid = reader.string(entry.get("id"), where + ("id",))
            for obj in reader.strings(entry.get("objects"), where + ("objects",)):
                out.request_patterns.append(obj)
                out.request_ids[obj] = rid
            for param in reader.strings(entry.get("params"), where + ("params",)):
                out.request_params.add(param)
                out.request_ids["param:" + param] = rid
            for attr in reader.strings(entry.get("attributes"), where + ("attributes",)):
                out.request_attributes.add(attr)
                out.request_ids["param:" + attr] = rid
            out.snippets += reader.snippets(entry.get("examples"), where + ("examples",), f"requests:{rid}")
        out.containers |= set(reader.strings(data.get("containers"), ("containers",)))
        values = data.get("values")
        if values is not None:
            reader.mapping(values, ("values",), set(values) if isinstance(values, dict) else set())
            for key, category in values.items():
                if category not in taxonomy.categories:
                    reader.fail(("values", key), f"unknown category {category!r}{taxonomy.suggest(str(category))}")
                out.values[key] = category
        for i, entry in enumerate(reader.entries(data.get("input_functions"), ("input_functions",))):
            where = ("input_functions", i)
            reader.mapping(entry, where, INPUT_FUNCTION_KEYS)
            cat = entry.get("category")
            if cat is not None and cat not in taxonomy.categories:
                reader.fail(where + ("category",), f"unknown category {cat!r}{taxonomy.suggest(str(cat))}")
            function = reader.string(entry.get("function"), where + ("function",))
            out.input_functions[function] = cat
            out.snippets += reader.snippets(entry.get("examples"), where + ("examples",), f"input_functions:{function}")
        for i, entry in enumerate(reader.entries(data.get("schemas"), ("schemas",))):
            kind, examples = schema_kind(reader, entry, ("schemas", i), "schemas")
            _replace_by_id(out.schemas, kind)
            out.snippets += examples
        if "routes" in data:
            routes = reader.mapping(data["routes"], ("routes",), set(_ROUTE_LISTS) | set(_ROUTE_MAPS))
            for key in _ROUTE_LISTS:
                out.route_lists[key] += reader.strings(routes.get(key), ("routes", key))
            for key in _ROUTE_MAPS:
                mapping = routes.get(key) or {}
                reader.mapping(mapping, ("routes", key), set(mapping) if isinstance(mapping, dict) else set())
                for name, value in mapping.items():
                    out.route_maps[key][name] = reader.string(value, ("routes", key, name))
    return out
