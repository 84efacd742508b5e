"""JSON Schemas of the rule files, built from the loaders' own key sets (published in rules/schema/)."""

from __future__ import annotations

from typing import Any

from minimise.knowledge.frameworks import FRAMEWORK_LISTS, FRAMEWORK_MAPS, FRAMEWORK_NUMBERS, UNITS_PER_SECOND
from minimise.knowledge.personal_data import CATEGORY_KEYS
from minimise.knowledge.reader import SECTIONS
from minimise.knowledge.sanitizers import PROTECTIONS, SANITIZER_KEYS
from minimise.knowledge.sinks import ACTIONS, SINK_KEYS, UNNAMED_RECIPIENT_KINDS
from minimise.knowledge.sources import INPUT_FUNCTION_KEYS, REQUEST_KEYS, SCHEMA_KEYS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
# An identifier, not an address: minimise has no public site the schemas could be fetched from.
SCHEMA_ID = "urn:minimise:rules-schema:{name}"

_STRINGS = {"type": "array", "items": {"type": "string"}}
_NAME = {"type": "string", "minLength": 1}
_EXAMPLES = {
    "type": "array",
    "description": (
        "Annotated Python snippets, the one example dialect of every rule file: a line ending in"
        " `# expect: ACTION CATEGORY [protection]` (comma-separated for several) must yield exactly"
        " those data points, a line ending in `# ok` is a look-alike that must stay quiet, and every"
        " other line must yield nothing. `minimise test-rules FILE` runs them."
    ),
    "items": {"type": "string", "minLength": 1},
}
_POSITIONS = {"type": "array", "items": {"type": ["integer", "string"]}}


def _describe(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {**(schema or {}), "description": description}


def _entry(keys: set[str], properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    missing = keys - set(properties)
    extra = set(properties) - keys
    if missing or extra:  # the schema and the loader must accept exactly the same keys
        raise AssertionError(f"schema keys out of step with the loader: missing {missing}, extra {extra}")
    return {"type": "object", "additionalProperties": False, "required": required, "properties": properties}


def _sink() -> dict[str, Any]:
    return _entry(
        SINK_KEYS,
        {
            "id": _describe("Unique name; findings report it as `via`.", _NAME),
            "action": _describe("What happens to the data there.", {"enum": list(ACTIONS)}),
            "kind": _describe(
                "The destination kind checks select on (log, exception, cookie, file, cache, database, http,"
                " url, email, sms, chat, queue, task_queue, cloud_storage, warehouse, search, crm, payment, analytics,"
                " error_tracker, apm, llm, vector_store, rpc, graphql, socket, token, authentication)."
                " Defaults to the action.",
                _NAME,
            ),
            "vendor": _describe(
                'The recipient of a share sink as a plain vendor name ("SendGrid", "Twilio"); the data'
                " inventory names recipients the same way. Required for share sinks except kinds "
                + ", ".join(sorted(UNNAMED_RECIPIENT_KINDS))
                + ", whose recipient is the URL's host, the connection or the token's holder.",
                _NAME,
            ),
            "library": _describe("The library as its users know it, for the coverage table.", _NAME),
            "data": _describe("What counts as the data at this sink, for the coverage table.", _NAME),
            "functions": _describe(
                "Qualified names of called functions, resolved through the module's imports and"
                " assignments; `*` matches any run of characters.",
                _STRINGS,
            ),
            "objects": _describe("Qualified names of receivers whose `methods` are the sink.", _STRINGS),
            "methods": _describe(
                "Method names called on `objects` (or on receivers named by `receiver_words`).", _STRINGS
            ),
            "receiver_words": _describe(
                "When the receiver cannot be resolved, words of its name that identify it (`logger`).", _STRINGS
            ),
            "any_receiver": _describe("Method names that identify the sink on any receiver (`set_cookie`).", _STRINGS),
            "args": _describe(
                "Which arguments carry data: `all` (the default) or positions and keyword names.",
                {"oneOf": [{"const": "all"}, _POSITIONS]},
            ),
            "ignore_keywords": _describe("Keyword arguments that never carry data (`exc_info`).", _STRINGS),
            "key_value": _describe(
                '[key position, value position] when a string key names the value (`set_tag("email", v)`).',
                {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
            ),
            "recipients": _describe(
                "Arguments naming who a message goes to: a person object there (`user`) means their address.",
                _POSITIONS,
            ),
            "fluent": _describe("Methods returning the same kind of object (`logger.bind(...).info`).", _STRINGS),
            "url_args": _describe("Arguments holding the URL of an HTTP call (their data is in the URL).", _POSITIONS),
            "url_for_method": _describe(
                "Per method, the URL arguments when they differ from `url_args`.",
                {"type": "object", "additionalProperties": _POSITIONS},
            ),
            "sql": _describe("The first argument is SQL: its INSERT/UPDATE columns are the data.", {"type": "boolean"}),
            "shown_by_render": _describe(
                "What it keeps is taken back by a page the same function renders (`flash()` then `render_template`,"
                " no redirect): then it is not kept.",
                {"type": "boolean"},
            ),
            "own_in_package": _describe(
                "A function matched from the caller's own top package (generated client code committed in the"
                " project, `from .proto import users_pb2`) reaches the project's own service: not a share.",
                {"type": "boolean"},
            ),
            "examples": _EXAMPLES,
        },
        ["id", "action"],
    )


def _schema_kind(description: str) -> dict[str, Any]:
    return _describe(
        description,
        _entry(
            SCHEMA_KEYS,
            {
                "id": _NAME,
                "bases": _describe("Qualified names of base classes.", _STRINGS),
                "not_bases": _describe("Bases that exclude a class (settings classes).", _STRINGS),
                "field_calls": _describe("Qualified names of field constructors.", _STRINGS),
                "annotated_fields": _describe("Annotated class attributes are fields.", {"type": "boolean"}),
                "meta_fields": _describe("`class Meta: fields = [...]` names fields.", {"type": "boolean"}),
                "inherited_fields": _describe(
                    "Per base class, the fields it declares for the classes extending it (Django's `AbstractUser`):"
                    " `name` or `name [hashed]`.",
                    {"type": "object", "additionalProperties": _STRINGS},
                ),
                "action": _describe("Reserved.", _NAME),
                "examples": _EXAMPLES,
            },
            ["id"],
        ),
    )


def _sections() -> dict[str, dict[str, Any]]:
    category = _entry(
        CATEGORY_KEYS,
        {
            "category": _describe("A fideslang data category key.", _NAME),
            "names": _describe("Word sequences that denote the category wherever they appear.", _STRINGS),
            "context_names": _describe("Word sequences that denote it only in a person context.", _STRINGS),
            "exclude": _describe("Words that, next to a name, make it metadata about the data.", _STRINGS),
            "requires_context": {"enum": ["person", "address", "own"]},
            "type_names": _describe("Type names that imply the category (EmailStr).", _STRINGS),
            "context": _describe("Words that count as context for this category.", _STRINGS),
            "qualifiers": _describe("Words allowed around a name without changing its meaning.", _STRINGS),
            "not_context": _describe(
                "Words of the owner or function around a name that make it something else (`pci` for a device id).",
                _STRINGS,
            ),
            "label": _describe("Plain words for the category.", _NAME),
            "examples": {
                "oneOf": [
                    _EXAMPLES,
                    {
                        "type": "object",
                        "description": "Names that must / must not classify (checked in a customer context).",
                        "additionalProperties": False,
                        "properties": {"match": _STRINGS, "no_match": _STRINGS},
                    },
                ]
            },
        },
        ["category"],
    )
    request = _entry(
        REQUEST_KEYS,
        {
            "id": _NAME,
            "objects": _describe("Qualified names of objects holding an incoming request.", _STRINGS),
            "params": _describe("Function parameters that hold a request by name alone.", _STRINGS),
            "attributes": _describe("Attributes that hold a request (`self.request`).", _STRINGS),
            "examples": _EXAMPLES,
        },
        ["id"],
    )
    input_function = _entry(
        INPUT_FUNCTION_KEYS,
        {
            "function": _describe("Qualified name of a function returning typed user input.", _NAME),
            "category": _describe(
                "The category implied when neither the prompt nor the receiving name says.",
                {"type": ["string", "null"]},
            ),
            "examples": _EXAMPLES,
        },
        ["function"],
    )
    sanitizer = _entry(
        SANITIZER_KEYS,
        {
            "id": _NAME,
            "protection": {"enum": list(PROTECTIONS)},
            "functions": _describe("Qualified names of protecting calls; `*` matches any continuation.", _STRINGS),
            "name_words": _describe("Words in a local helper's name that say what it does (mask_email).", _STRINGS),
            "method_names": _describe("Method names that protect their receiver's data.", _STRINGS),
            "examples": _EXAMPLES,
        },
        ["protection"],
    )
    lists = {"type": "object", "additionalProperties": _STRINGS}
    return {
        "context": _describe("Person, address and not-person context words.", lists),
        "exclude_words": _STRINGS,
        "protection_words": _describe("Words in a name that say the value is protected.", lists),
        "categories": {"type": "array", "items": category},
        "sensitivity": _describe("Sensitivity tier of category prefixes.", lists),
        "text_values": _describe("Category prefixes whose values are text, never a number.", _STRINGS),
        "requests": {"type": "array", "items": request},
        "containers": _describe("Request attributes and methods mapping input keys to values.", _STRINGS),
        "values": _describe("Request attributes that are personal data by themselves.", {"type": "object"}),
        "input_functions": {"type": "array", "items": input_function},
        "schemas": {"type": "array", "items": _schema_kind("Classes whose fields are collected from users.")},
        "routes": _describe(
            "Route decorators: parameters of decorated functions are inputs.",
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "decorator_methods": _STRINGS,
                    "receiver_words": _STRINGS,
                    "receivers": _STRINGS,
                    "parameter_calls": {"type": "object", "additionalProperties": {"type": "string"}},
                    "skip_parameter_calls": _STRINGS,
                    "skip_parameters": _STRINGS,
                },
            },
        ),
        "sinks": {"type": "array", "items": _sink()},
        "consoles": _describe(
            "Operator commands: what they print or raise is shown to the operator who ran them (kind console).",
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    "decorator_methods": _STRINGS,
                    "receivers": _STRINGS,
                    "libraries": _STRINGS,
                    "bases": _STRINGS,
                    "sinks": _STRINGS,
                },
            },
        ),
        "models": {"type": "array", "items": _schema_kind("ORM model classes whose fields are stored.")},
        "sanitizers": {"type": "array", "items": sanitizer},
        "cleaners": _describe("Calls whose result carries none of their argument's data.", _STRINGS),
        "cleaning_methods": _describe("Methods whose result carries none of their receiver's data.", _STRINGS),
        "cleaning_attributes": _describe("Attributes that carry none of their object's data.", _STRINGS),
        "propagators": {
            "type": "object",
            "additionalProperties": False,
            "properties": {"functions": _STRINGS, "methods": _STRINGS},
        },
        "checks": _describe(
            "Coded checks (see rules/checks.yaml); their `tests` hold `invalid`/`valid` snippets.",
            {"type": "array", "items": {"type": "object", "required": ["code"]}},
        ),
        "frameworks": _describe(
            "Names of framework APIs the analysis recognises in code (rules/frameworks.yaml).",
            {
                "type": "object",
                "additionalProperties": False,
                "properties": {
                    **{key: _describe(text, _STRINGS) for key, text in FRAMEWORK_LISTS.items()},
                    **{
                        key: _describe(text, {"type": "object", "additionalProperties": _NAME})
                        for key, text in FRAMEWORK_MAPS.items()
                    },
                    **{
                        key: _describe(
                            text, {"type": "object", "additionalProperties": {"enum": list(UNITS_PER_SECOND)}}
                        )
                        for key, text in FRAMEWORK_NUMBERS.items()
                    },
                },
            },
        ),
        "non_personal": _describe("Names that are never personal data in this project.", _STRINGS),
    }


def rule_file_schema(name: str) -> dict[str, Any]:
    """The schema of one shipped rule file, or of a team's rule file (`team.yaml`: every section)."""
    sections = _sections()
    keys = SECTIONS.get(name) or tuple(sections)
    title = f"minimise rules: {name}" if name in SECTIONS else "minimise rules: a team's rule file"
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": SCHEMA_ID.format(name=schema_file_name(name)),
        "title": title,
        "type": "object",
        "additionalProperties": False,
        "required": ["version"],
        "properties": {
            "version": {"const": 1},
            "examples": _describe("Snippets that belong to no single entry.", _EXAMPLES),
            **{key: sections[key] for key in keys},
        },
    }


def schema_file_name(name: str) -> str:
    return name.replace(".yaml", ".schema.json")


SCHEMA_FILES = (*SECTIONS, "team.yaml")
