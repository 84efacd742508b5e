"""Builds the sinks and ORM model kinds from sinks.yaml sections."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from minimise.knowledge.reader import RuleDocument, RuleReader, qname_pattern
from minimise.knowledge.records import Example, SchemaKind, Sink
from minimise.knowledge.sources import _replace_by_id, schema_kind

SINK_KEYS = {
    "id",
    "action",
    "kind",
    "vendor",
    "library",
    "data",
    "functions",
    "objects",
    "methods",
    "receiver_words",
    "any_receiver",
    "args",
    "ignore_keywords",
    "key_value",
    "recipients",
    "fluent",
    "url_args",
    "url_for_method",
    "sql",
    "shown_by_render",
    "own_in_package",
    "examples",
}
ACTIONS = ("store", "log", "share", "collect")
CONSOLE_LISTS = ("decorator_methods", "receivers", "libraries", "bases", "sinks")
# Share sinks whose recipient is named by the URL, the connection or the token's holder, not by a vendor.
UNNAMED_RECIPIENT_KINDS = frozenset({"http", "url", "socket", "token"})


@dataclass
class Sinks:
    sinks: list[Sink] = field(default_factory=list)
    models: list[SchemaKind] = field(default_factory=list)
    snippets: list[Example] = field(default_factory=list)
    # Operator commands (the `consoles` section): lists keyed by CONSOLE_LISTS.
    consoles: dict[str, list[str]] = field(default_factory=lambda: {k: [] for k in CONSOLE_LISTS})

    def by_method(self) -> dict[str, list[Sink]]:
        index: dict[str, list[Sink]] = {}
        for sink in self.sinks:
            for name in set(sink.methods) | set(sink.any_receiver) | set(sink.function_names):
                index.setdefault(name, []).append(sink)
        return index


def _positions(reader: RuleReader, value: Any, where: tuple[object, ...]) -> tuple[int | str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (int, str)) for v in value):
        reader.fail(where, "expected a list of argument positions and keyword names")
    return tuple(value)


def build_sink(reader: RuleReader, entry: Any, where: tuple[object, ...]) -> Sink:
    reader.mapping(entry, where, SINK_KEYS)
    action = reader.string(entry.get("action"), where + ("action",))
    if action not in ACTIONS:
        reader.fail(where + ("action",), "expected store, log or share")
    kind = reader.string(entry.get("kind"), where + ("kind",), default=action)
    vendor = reader.string(entry.get("vendor"), where + ("vendor",), default="")
    if action == "share" and not vendor and kind not in UNNAMED_RECIPIENT_KINDS:
        reader.fail(
            where,
            "a share sink names its recipient: add vendor"
            f" (kinds {', '.join(sorted(UNNAMED_RECIPIENT_KINDS))} may omit it)",
        )
    functions = reader.strings(entry.get("functions"), where + ("functions",))
    key_value = entry.get("key_value")
    if key_value is not None and not (
        isinstance(key_value, list) and len(key_value) == 2 and all(isinstance(k, int) for k in key_value)
    ):
        reader.fail(where + ("key_value",), "expected [key position, value position]")
    args = entry.get("args")
    url_for_method = entry.get("url_for_method") or {}
    reader.mapping(url_for_method, where + ("url_for_method",), set(url_for_method))
    return Sink(
        id=reader.string(entry.get("id"), where + ("id",)),
        action=action,
        kind=kind,
        functions=qname_pattern(functions),
        objects=qname_pattern(reader.strings(entry.get("objects"), where + ("objects",))),
        methods=frozenset(reader.strings(entry.get("methods"), where + ("methods",))),
        receiver_words=frozenset(reader.strings(entry.get("receiver_words"), where + ("receiver_words",))),
        any_receiver=frozenset(reader.strings(entry.get("any_receiver"), where + ("any_receiver",))),
        args=None if args in (None, "all") else _positions(reader, args, where + ("args",)),
        ignore_keywords=frozenset(reader.strings(entry.get("ignore_keywords"), where + ("ignore_keywords",))),
        key_value=(key_value[0], key_value[1]) if key_value else None,
        recipients=_positions(reader, entry.get("recipients"), where + ("recipients",)),
        fluent=frozenset(reader.strings(entry.get("fluent"), where + ("fluent",))),
        url_args=_positions(reader, entry.get("url_args"), where + ("url_args",)),
        url_for_method={k: _positions(reader, v, where + ("url_for_method", k)) for k, v in url_for_method.items()},
        sql=bool(entry.get("sql", False)),
        shown_by_render=bool(entry.get("shown_by_render", False)),
        own_in_package=bool(entry.get("own_in_package", False)),
        function_names=frozenset(f.rsplit(".", 1)[-1] for f in functions if "*" not in f.rsplit(".", 1)[-1]),
        wildcard_functions=any("*" in f.rsplit(".", 1)[-1] for f in functions),
        vendor=vendor,
        library=reader.string(entry.get("library"), where + ("library",), default=""),
        data=reader.string(entry.get("data"), where + ("data",), default=""),
    )


def build_sinks(documents: list[RuleDocument]) -> Sinks:
    out = Sinks()
    for doc in documents:
        reader, data = doc.reader, doc.data
        for i, entry in enumerate(reader.entries(data.get("sinks"), ("sinks",))):
            where: tuple[object, ...] = ("sinks", i)
            sink = build_sink(reader, entry, where)
            known = [n for n, s in enumerate(out.sinks) if s.id == sink.id]
            if known and not doc.shipped:
                out.sinks[known[0]] = sink  # a team's entry with a shipped id replaces it
            elif known:
                reader.fail(where + ("id",), f"duplicate sink id {sink.id!r}")
            else:
                out.sinks.append(sink)
            out.snippets += reader.snippets(entry.get("examples"), where + ("examples",), f"sinks:{sink.id}")
        for i, entry in enumerate(reader.entries(data.get("models"), ("models",))):
            kind, examples = schema_kind(reader, entry, ("models", i), "models")
            _replace_by_id(out.models, kind)
            out.snippets += examples
        if data.get("consoles") is not None:
            consoles = reader.mapping(data["consoles"], ("consoles",), set(CONSOLE_LISTS))
            for key in CONSOLE_LISTS:
                out.consoles[key] += reader.strings(consoles.get(key), ("consoles", key))
    return out
