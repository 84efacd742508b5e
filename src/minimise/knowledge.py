"""Loading and validating the detection knowledge in rules/*.yaml into typed objects."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from minimise.classify import CategoryRule, Classifier
from minimise.taxonomy import Taxonomy, load_taxonomy
from minimise.words import split_words
from minimise.yamlio import YamlError, line_of, read_yaml

RULE_FILES = ("personal_data.yaml", "sources.yaml", "sinks.yaml", "sanitizers.yaml", "checks.yaml")


def rules_dir() -> Path:
    """The shipped rules: inside the wheel, or the repository's top-level rules/ in a checkout."""
    packaged = Path(__file__).parent / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def qname_pattern(patterns: list[str]) -> re.Pattern[str] | None:
    """Compile qualified-name patterns; ``*`` matches any run of characters."""
    if not patterns:
        return None
    parts = [re.escape(p).replace(r"\*", ".*") for p in patterns]
    return re.compile("^(?:" + "|".join(parts) + ")$")


@dataclass
class Sink:
    id: str
    action: str
    kind: str
    functions: re.Pattern[str] | None
    objects: re.Pattern[str] | None
    methods: frozenset[str]
    receiver_words: frozenset[str]
    any_receiver: frozenset[str]
    args: tuple[int | str, ...] | None
    ignore_keywords: frozenset[str]
    key_value: tuple[int, int] | None
    fluent: frozenset[str]
    url_args: tuple[int | str, ...]
    url_for_method: dict[str, tuple[int | str, ...]]
    sql: bool
    function_names: frozenset[str] = frozenset()
    wildcard_functions: bool = False

    def via(self) -> str:
        return self.id


@dataclass
class Sanitizer:
    protection: str
    functions: re.Pattern[str] | None
    name_words: frozenset[str]
    method_names: frozenset[str]


@dataclass
class SchemaKind:
    id: str
    bases: re.Pattern[str] | None
    not_bases: re.Pattern[str] | None
    field_calls: re.Pattern[str] | None
    annotated_fields: bool
    meta_fields: bool


@dataclass
class Check:
    code: str
    name: str
    severity: str
    summary: str
    message: str
    what: str
    why: str
    example: str
    fix: str
    suppress: str
    applies: dict[str, Any]
    tests: list[dict[str, Any]] = field(default_factory=list)
    # Checks raised by the scan itself (suppression comments) rather than by data points.
    raised_by: str = ""


@dataclass
class Knowledge:
    """Everything the analyser knows, loaded once per process."""

    classifier: Classifier
    taxonomy: Taxonomy
    sensitivity: dict[str, str]
    request_objects: re.Pattern[str] | None
    request_params: frozenset[str]
    request_attributes: frozenset[str]
    request_ids: dict[str, str]
    containers: frozenset[str]
    request_values: dict[str, str]
    input_functions: dict[str, str | None]
    schemas: list[SchemaKind]
    route_methods: frozenset[str]
    route_receiver_words: frozenset[str]
    route_receivers: re.Pattern[str] | None
    route_parameter_calls: dict[str, str]
    route_skip_calls: frozenset[str]
    route_skip_params: frozenset[str]
    sinks: list[Sink]
    sinks_by_method: dict[str, list[Sink]]
    wildcard_sinks: list[Sink]
    sanitizers: list[Sanitizer]
    cleaners: frozenset[str]
    cleaning_methods: frozenset[str]
    propagator_functions: frozenset[str]
    propagator_methods: frozenset[str]
    checks: dict[str, Check]
    model_kinds: list[SchemaKind]
    examples: list[tuple[str, str, bool]]  # (category, name, should_match)
    labels: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""

    def label_of(self, category: str) -> str:
        """Plain words for a category, for people who do not read taxonomy keys."""
        return self.labels.get(category) or self.taxonomy.label(category)

    def sensitivity_of(self, category: str) -> str:
        best, tier = -1, "medium"
        for prefix, level in self.sensitivity.items():
            if (category == prefix or category.startswith(prefix + ".")) and len(prefix) > best:
                best, tier = len(prefix), level
        return tier


class _Reader:
    """Validates one rule file, raising YamlError with the file, key and line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key_path: tuple[object, ...], message: str) -> None:
        where = ".".join(str(k) for k in key_path)
        raise YamlError(str(self.path), line_of(self.text, key_path), f"{where}: {message}" if where else message)

    def mapping(self, value: Any, key_path: tuple[object, ...], allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key_path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                self.fail(key_path + (key,), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def strings(self, value: Any, key_path: tuple[object, ...]) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key_path, "expected a list of strings")
        return value

    def string(self, value: Any, key_path: tuple[object, ...], default: str | None = None) -> str:
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or not value:
            self.fail(key_path, "expected a non-empty string")
        return value


def _word_tuples(reader: _Reader, values: Any, key_path: tuple[object, ...]) -> tuple[tuple[str, ...], ...]:
    out = []
    for i, text in enumerate(reader.strings(values, key_path)):
        words = tuple(w for part in text.split() for w in split_words(part))
        if not words:
            reader.fail(key_path + (i,), "a name needs at least one word")
        out.append(words)
    return tuple(out)


def _load_file(directory: Path, name: str) -> tuple[_Reader, dict[str, Any]]:
    """Load a shipped rule file. These are ours and tested, so the fast C loader is safe."""
    import yaml

    path = directory / name
    text = path.read_text(encoding="utf-8-sig")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - safe loader on shipped files
    except yaml.YAMLError:
        data = read_yaml(path)  # the strict loader names the line
    reader = _Reader(path, text)
    if not isinstance(data, dict):
        reader.fail((), "expected a mapping at the top level")
    if data.get("version") != 1:
        reader.fail(("version",), "expected version: 1")
    return reader, data


def _merge_extra(base: dict[str, Any], extra: dict[str, Any], list_keys: tuple[str, ...]) -> None:
    for key in list_keys:
        if key in extra:
            base.setdefault(key, [])
            base[key] = list(base[key]) + list(extra[key])


def load_knowledge(extra_rule_files: tuple[str, ...] = (), non_personal: tuple[str, ...] = ()) -> Knowledge:
    """Load the shipped rules plus a team's extra rule files (same schema, lists appended)."""
    return _load_knowledge_cached(tuple(extra_rule_files), tuple(non_personal))


@lru_cache(maxsize=8)
def _load_knowledge_cached(extra_rule_files: tuple[str, ...], non_personal: tuple[str, ...]) -> Knowledge:
    import hashlib

    directory = rules_dir()
    digest = hashlib.sha256()
    loaded: dict[str, tuple[_Reader, dict[str, Any]]] = {}
    for name in RULE_FILES:
        reader, data = _load_file(directory, name)
        digest.update(reader.text.encode())
        loaded[name] = (reader, data)
    for extra in extra_rule_files:
        path = Path(extra)
        data = read_yaml(path)
        text = path.read_text(encoding="utf-8-sig")
        digest.update(text.encode())
        reader = _Reader(path, text)
        reader.mapping(
            data, (), {"version", "categories", "sinks", "sanitizers", "requests", "schemas", "non_personal"}
        )
        if data.get("version") != 1:
            reader.fail(("version",), "expected version: 1")
        for target, keys in (
            ("personal_data.yaml", ("categories",)),
            ("sinks.yaml", ("sinks",)),
            ("sanitizers.yaml", ("sanitizers",)),
            ("sources.yaml", ("requests", "schemas")),
        ):
            _validate_extra_entries(reader, data, keys)
            _merge_extra(loaded[target][1], data, keys)
        non_personal = non_personal + tuple(reader.strings(data.get("non_personal"), ("non_personal",)))
    digest.update("\0".join(non_personal).encode())
    knowledge = _build(loaded, non_personal)
    knowledge.fingerprint = digest.hexdigest()[:16]
    return knowledge


def _validate_extra_entries(reader: _Reader, data: dict[str, Any], keys: tuple[str, ...]) -> None:
    """Check a team's extra entries against their own file, so errors name that file and line."""
    allowed = {"categories": _CATEGORY_KEYS, "sinks": _SINK_KEYS}
    for key in keys:
        if key not in data:
            continue
        if not isinstance(data[key], list):
            reader.fail((key,), "expected a list")
        for i, entry in enumerate(data[key]):
            if key in allowed:
                reader.mapping(entry, (key, i), allowed[key])


_CATEGORY_KEYS = {
    "category",
    "names",
    "context_names",
    "exclude",
    "examples",
    "requires_context",
    "type_names",
    "context",
    "qualifiers",
    "label",
}
_SINK_KEYS = {
    "id",
    "action",
    "kind",
    "functions",
    "objects",
    "methods",
    "receiver_words",
    "any_receiver",
    "args",
    "ignore_keywords",
    "key_value",
    "fluent",
    "url_args",
    "url_for_method",
    "sql",
    "examples",
}


def _build(loaded: dict[str, tuple[_Reader, dict[str, Any]]], non_personal: tuple[str, ...]) -> Knowledge:
    taxonomy = load_taxonomy()
    reader, pd = loaded["personal_data.yaml"]
    reader.mapping(pd, (), {"version", "context", "exclude_words", "protection_words", "categories", "sensitivity"})
    context = reader.mapping(pd.get("context"), ("context",), {"person", "address", "not_person", "about_people"})
    sensitivity: dict[str, str] = {}
    for tier, keys in reader.mapping(
        pd.get("sensitivity"), ("sensitivity",), {"low", "medium", "high", "special"}
    ).items():
        for i, key in enumerate(reader.strings(keys, ("sensitivity", tier))):
            if key not in taxonomy.categories:
                reader.fail(("sensitivity", tier, i), f"unknown category {key!r}{taxonomy.suggest(key)}")
            sensitivity[key] = tier
    rules: list[CategoryRule] = []
    labels: dict[str, str] = {}
    examples: list[tuple[str, str, bool]] = []
    categories = pd.get("categories")
    if not isinstance(categories, list):
        reader.fail(("categories",), "expected a list")
        raise AssertionError  # fail() raises
    for i, entry in enumerate(categories):
        where = ("categories", i)
        reader.mapping(entry, where, _CATEGORY_KEYS)
        category = reader.string(entry.get("category"), where + ("category",))
        if category not in taxonomy.categories:
            reader.fail(where + ("category",), f"unknown category {category!r}{taxonomy.suggest(category)}")
        if entry.get("label") is not None:
            labels[category] = reader.string(entry.get("label"), where + ("label",))
        requires = entry.get("requires_context", "person")
        if requires not in ("person", "address", "own"):
            reader.fail(where + ("requires_context",), "expected person, address or own")
        rules.append(
            CategoryRule(
                category=category,
                names=_word_tuples(reader, entry.get("names"), where + ("names",)),
                context_names=_word_tuples(reader, entry.get("context_names"), where + ("context_names",)),
                exclude=frozenset(
                    w for x in reader.strings(entry.get("exclude"), where + ("exclude",)) for w in split_words(x)
                ),
                requires_context=requires,
                type_names=tuple(reader.strings(entry.get("type_names"), where + ("type_names",))),
                context_words=frozenset(reader.strings(entry.get("context"), where + ("context",))),
                qualifiers=(
                    frozenset(
                        w
                        for x in reader.strings(entry.get("qualifiers"), where + ("qualifiers",))
                        for w in split_words(x)
                    )
                    if "qualifiers" in entry
                    else None
                ),
            )
        )
        ex = entry.get("examples") or {}
        reader.mapping(ex, where + ("examples",), {"match", "no_match"})
        examples += [(category, n, True) for n in reader.strings(ex.get("match"), where + ("examples", "match"))]
        examples += [(category, n, False) for n in reader.strings(ex.get("no_match"), where + ("examples", "no_match"))]
    protection = reader.mapping(
        pd.get("protection_words"), ("protection_words",), {"hashed", "encrypted", "masked", "tokenised"}
    )
    classifier = Classifier(
        rules,
        person=frozenset(reader.strings(context.get("person"), ("context", "person"))),
        not_person=frozenset(reader.strings(context.get("not_person"), ("context", "not_person"))),
        about_people=frozenset(reader.strings(context.get("about_people"), ("context", "about_people"))),
        address=frozenset(reader.strings(context.get("address"), ("context", "address"))),
        exclude_words=frozenset(reader.strings(pd.get("exclude_words"), ("exclude_words",))),
        protection_words={k: frozenset(reader.strings(v, ("protection_words", k))) for k, v in protection.items()},
        non_personal=frozenset(n.lower() for n in non_personal)
        | frozenset(" ".join(split_words(n)) for n in non_personal),
    )

    reader, src = loaded["sources.yaml"]
    reader.mapping(
        src, (), {"version", "requests", "containers", "values", "input_functions", "schemas", "routes", "examples"}
    )
    request_patterns: list[str] = []
    request_params: set[str] = set()
    request_attributes: set[str] = set()
    request_ids: dict[str, str] = {}
    for i, entry in enumerate(src.get("requests") or []):
        where = ("requests", i)
        reader.mapping(entry, where, {"id", "objects", "params", "attributes"})
        rid = reader.string(entry.get("id"), where + ("id",))
        for obj in reader.strings(entry.get("objects"), where + ("objects",)):
            request_patterns.append(obj)
            request_ids[obj] = rid
        for param in reader.strings(entry.get("params"), where + ("params",)):
            request_params.add(param)
            request_ids["param:" + param] = rid
        for attr in reader.strings(entry.get("attributes"), where + ("attributes",)):
            request_attributes.add(attr)
            request_ids["param:" + attr] = rid
    values = src.get("values") or {}
    reader.mapping(values, ("values",), set(values))
    for key, category in values.items():
        if category not in taxonomy.categories:
            reader.fail(("values", key), f"unknown category {category!r}{taxonomy.suggest(str(category))}")
    input_functions: dict[str, str | None] = {}
    for i, entry in enumerate(src.get("input_functions") or []):
        reader.mapping(entry, ("input_functions", i), {"function", "category"})
        cat = entry.get("category")
        if cat is not None and cat not in taxonomy.categories:
            reader.fail(("input_functions", i, "category"), f"unknown category {cat!r}")
        input_functions[reader.string(entry.get("function"), ("input_functions", i, "function"))] = cat
    schemas = [_schema(reader, e, ("schemas", i)) for i, e in enumerate(src.get("schemas") or [])]
    routes = reader.mapping(
        src.get("routes"),
        ("routes",),
        {
            "decorator_methods",
            "receiver_words",
            "receivers",
            "parameter_calls",
            "skip_parameter_calls",
            "skip_parameters",
        },
    )

    reader, sk = loaded["sinks.yaml"]
    reader.mapping(sk, (), {"version", "sinks", "models"})
    sinks: list[Sink] = []
    for i, entry in enumerate(sk.get("sinks") or []):
        sinks.append(_sink(reader, entry, ("sinks", i)))
    by_method: dict[str, list[Sink]] = {}
    for sink in sinks:
        names = set(sink.methods) | set(sink.any_receiver) | set(sink.function_names)
        for name in names:
            by_method.setdefault(name, []).append(sink)
    wildcard_sinks = [s for s in sinks if s.wildcard_functions]
    model_kinds = [_schema(reader, e, ("models", i)) for i, e in enumerate(sk.get("models") or [])]

    reader, sz = loaded["sanitizers.yaml"]
    reader.mapping(sz, (), {"version", "sanitizers", "cleaners", "cleaning_methods", "propagators", "examples"})
    sanitizers = []
    for i, entry in enumerate(sz.get("sanitizers") or []):
        where = ("sanitizers", i)
        reader.mapping(entry, where, {"protection", "functions", "name_words", "method_names", "id"})
        prot = reader.string(entry.get("protection"), where + ("protection",))
        if prot not in ("hashed", "encrypted", "masked", "tokenised"):
            reader.fail(where + ("protection",), "expected hashed, encrypted, masked or tokenised")
        sanitizers.append(
            Sanitizer(
                protection=prot,
                functions=qname_pattern(reader.strings(entry.get("functions"), where + ("functions",))),
                name_words=frozenset(reader.strings(entry.get("name_words"), where + ("name_words",))),
                method_names=frozenset(reader.strings(entry.get("method_names"), where + ("method_names",))),
            )
        )
    propagators = reader.mapping(sz.get("propagators") or {}, ("propagators",), {"functions", "methods"})

    from minimise.checks import load_checks

    reader, ck = loaded["checks.yaml"]
    checks = load_checks(reader, ck, taxonomy)

    return Knowledge(
        classifier=classifier,
        taxonomy=taxonomy,
        sensitivity=sensitivity,
        request_objects=qname_pattern(request_patterns),
        request_params=frozenset(request_params),
        request_attributes=frozenset(request_attributes),
        request_ids=request_ids,
        containers=frozenset(reader.strings(src.get("containers"), ("containers",))),
        request_values=dict(values),
        input_functions=input_functions,
        schemas=schemas,
        route_methods=frozenset(routes.get("decorator_methods") or ()),
        route_receiver_words=frozenset(routes.get("receiver_words") or ()),
        route_receivers=qname_pattern(list(routes.get("receivers") or ())),
        route_parameter_calls=dict(routes.get("parameter_calls") or {}),
        route_skip_calls=frozenset(routes.get("skip_parameter_calls") or ()),
        route_skip_params=frozenset(routes.get("skip_parameters") or ()),
        sinks=sinks,
        sinks_by_method=by_method,
        wildcard_sinks=wildcard_sinks,
        sanitizers=sanitizers,
        cleaners=frozenset(sz.get("cleaners") or ()),
        cleaning_methods=frozenset(sz.get("cleaning_methods") or ()),
        propagator_functions=frozenset(propagators.get("functions") or ()),
        propagator_methods=frozenset(propagators.get("methods") or ()),
        checks=checks,
        model_kinds=model_kinds,
        examples=examples,
        labels=labels,
    )


def _schema(reader: _Reader, entry: Any, where: tuple[object, ...]) -> SchemaKind:
    reader.mapping(
        entry, where, {"id", "bases", "not_bases", "field_calls", "annotated_fields", "meta_fields", "action"}
    )
    return SchemaKind(
        id=reader.string(entry.get("id"), where + ("id",)),
        bases=qname_pattern(reader.strings(entry.get("bases"), where + ("bases",))),
        not_bases=qname_pattern(reader.strings(entry.get("not_bases"), where + ("not_bases",))),
        field_calls=qname_pattern(reader.strings(entry.get("field_calls"), where + ("field_calls",))),
        annotated_fields=bool(entry.get("annotated_fields", False)),
        meta_fields=bool(entry.get("meta_fields", False)),
    )


def _positions(reader: _Reader, value: Any, where: tuple[object, ...]) -> tuple[int | str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, (int, str)) for v in value):
        reader.fail(where, "expected a list of argument positions and keyword names")
    return tuple(value)


def _sink(reader: _Reader, entry: Any, where: tuple[object, ...]) -> Sink:
    reader.mapping(entry, where, _SINK_KEYS)
    action = reader.string(entry.get("action"), where + ("action",))
    if action not in ("store", "log", "share", "collect"):
        reader.fail(where + ("action",), "expected store, log or share")
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
        kind=reader.string(entry.get("kind"), where + ("kind",), default=action),
        functions=qname_pattern(functions),
        objects=qname_pattern(reader.strings(entry.get("objects"), where + ("objects",))),
        methods=frozenset(reader.strings(entry.get("methods"), where + ("methods",))),
        receiver_words=frozenset(reader.strings(entry.get("receiver_words"), where + ("receiver_words",))),
        any_receiver=frozenset(reader.strings(entry.get("any_receiver"), where + ("any_receiver",))),
        args=None if args in (None, "all") else _positions(reader, args, where + ("args",)),
        ignore_keywords=frozenset(reader.strings(entry.get("ignore_keywords"), where + ("ignore_keywords",))),
        key_value=tuple(key_value) if key_value else None,  # type: ignore[arg-type]
        fluent=frozenset(reader.strings(entry.get("fluent"), where + ("fluent",))),
        url_args=_positions(reader, entry.get("url_args"), where + ("url_args",)),
        url_for_method={k: _positions(reader, v, where + ("url_for_method", k)) for k, v in url_for_method.items()},
        sql=bool(entry.get("sql", False)),
        function_names=frozenset(f.rsplit(".", 1)[-1] for f in functions if "*" not in f.rsplit(".", 1)[-1]),
        wildcard_functions=any("*" in f.rsplit(".", 1)[-1] for f in functions),
    )
