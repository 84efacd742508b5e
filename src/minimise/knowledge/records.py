"""The typed records the rule files load into: sinks, sanitizers, schema kinds, checks, examples, frameworks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from minimise.classify import Classifier
from minimise.taxonomy import Taxonomy


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
    # The recipient of a share sink ("SendGrid", "Twilio"); empty where the URL or connection names it.
    vendor: str = ""
    library: str = ""
    data: str = ""
    # Arguments naming who a message goes to: a person object there (`user`) stands for their address.
    recipients: tuple[int | str, ...] = ()
    # What it keeps is taken back by the page the same request renders (a flashed message shown at once).
    shown_by_render: bool = False
    # A callee from the caller's own package (protoc output committed beside it) is the project's own service.
    own_in_package: bool = False

    def via(self) -> str:
        return self.id


@dataclass
class Sanitizer:
    protection: str
    functions: re.Pattern[str] | None
    name_words: frozenset[str]
    method_names: frozenset[str]
    id: str = ""


@dataclass
class SchemaKind:
    id: str
    bases: re.Pattern[str] | None
    not_bases: re.Pattern[str] | None
    field_calls: re.Pattern[str] | None
    annotated_fields: bool
    meta_fields: bool
    # Per base class: the fields it declares for its subclasses (name, protection), stored by them too.
    inherited_fields: dict[str, tuple[tuple[str, str], ...]] = field(default_factory=dict)


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
    # Documentation and report metadata (see knowledge.checks.load_checks): the fixed code, CWE ids,
    # how often a finding is right, and which extra ways of silencing it apply.
    use_instead: str = ""
    cwe: tuple[int, ...] = ()
    precision: str = ""
    silenced_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Example:
    """One annotated snippet from a rule file: `# expect: ACTION CATEGORY` lines, every other line quiet."""

    path: str
    key_path: tuple[object, ...]
    owner: str  # "sinks:twilio", "requests:flask.request", or "examples" for a file's own list
    code: str


@dataclass(frozen=True)
class Deferral:
    """Where a deferring call (`add_task`, `Thread`) holds the function it runs and that function's arguments.

    ``keyword`` and ``position`` place the function; with ``passes_through`` the arguments after it are
    the function's, otherwise ``args_at`` and ``kwargs_at`` place a tuple and a dict of them.
    """

    keyword: str | None
    position: int
    passes_through: bool
    args_at: tuple[str, int] | None = None
    kwargs_at: tuple[str, int] | None = None


@dataclass(frozen=True)
class Frameworks:
    """The framework vocabulary, merged across the shipped file and every team file."""

    skip_fields: frozenset[str] = frozenset()
    field_constructors: frozenset[str] = frozenset()
    field_suffixes: frozenset[str] = frozenset()
    description_keywords: frozenset[str] = frozenset()
    orm_roots: frozenset[str] = frozenset()
    form_kinds: frozenset[str] = frozenset()
    request_getters: frozenset[str] = frozenset()
    masked_types: frozenset[str] = frozenset()
    mutators: frozenset[str] = frozenset()
    key_views: frozenset[str] = frozenset()
    input_classes: frozenset[str] = frozenset()
    cookie_sessions: frozenset[str] = frozenset()
    persist_methods: frozenset[str] = frozenset()
    user_objects: frozenset[str] = frozenset()
    username_text_objects: frozenset[str] = frozenset()
    username_text_modules: frozenset[str] = frozenset()
    unprotect_methods: frozenset[str] = frozenset()
    exception_message_keywords: frozenset[str] = frozenset()
    core_statements: frozenset[str] = frozenset()
    core_write_methods: frozenset[str] = frozenset()
    schema_uses: frozenset[str] = frozenset()
    persist_words: frozenset[str] = frozenset()
    instance_getters: frozenset[str] = frozenset()
    select_results: frozenset[str] = frozenset()
    configuration_objects: frozenset[str] = frozenset()
    configuration_functions: frozenset[str] = frozenset()
    configuration_getters: frozenset[str] = frozenset()
    renderer_words: frozenset[str] = frozenset()
    own_service_words: frozenset[str] = frozenset()
    own_client_words: frozenset[str] = frozenset()
    login_endpoint_words: frozenset[str] = frozenset()
    own_service_hosts: frozenset[str] = frozenset()
    validation_exceptions: frozenset[str] = frozenset()
    service_caller_words: frozenset[str] = frozenset()
    metadata_containers: frozenset[str] = frozenset()
    silent_http_errors: frozenset[str] = frozenset()
    server_session_calls: frozenset[str] = frozenset()
    server_session_attributes: frozenset[str] = frozenset()
    configuration_names: frozenset[str] = frozenset()
    configuration_holders: frozenset[str] = frozenset()
    authentication_headers: frozenset[str] = frozenset()
    issued_categories: frozenset[str] = frozenset()
    client_headers: frozenset[str] = frozenset()
    issuer_kinds: frozenset[str] = frozenset()
    store_receivers: dict[str, str] = field(default_factory=dict)
    collect_receivers: dict[str, str] = field(default_factory=dict)
    form_containers: dict[str, str] = field(default_factory=dict)
    base_names: dict[str, str] = field(default_factory=dict)
    ttl_keywords: dict[str, int] = field(default_factory=dict)
    deferred_calls: dict[str, Deferral] = field(default_factory=dict)


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
    # Operator commands: decorator methods and receivers of CLI commands, bases of command classes.
    console_methods: frozenset[str]
    console_receivers: re.Pattern[str] | None
    console_libraries: frozenset[str]  # a module importing one of these defines commands with any group
    console_bases: re.Pattern[str] | None
    console_sinks: frozenset[str]  # ids of the sinks whose output a command shows its operator
    sinks: list[Sink]
    sinks_by_method: dict[str, list[Sink]]
    wildcard_sinks: list[Sink]
    sanitizers: list[Sanitizer]
    cleaners: frozenset[str]
    cleaning_methods: frozenset[str]
    cleaning_attributes: frozenset[str]
    propagator_functions: frozenset[str]
    propagator_methods: frozenset[str]
    checks: dict[str, Check]
    model_kinds: list[SchemaKind]
    examples: list[tuple[str, str, bool]]  # (category, name, should_match)
    frameworks: Frameworks = field(default_factory=Frameworks)
    labels: dict[str, str] = field(default_factory=dict)
    fingerprint: str = ""
    snippets: list[Example] = field(default_factory=list)

    def label_of(self, category: str) -> str:
        """Plain words for a category, for people who do not read taxonomy keys."""
        return self.labels.get(category) or self.taxonomy.label(category)

    def destination_kind(self, kind: str, category: str) -> str:
        """A sink's kind for one category: a token sent to a web or AI service authenticates to its issuer."""
        if kind in self.frameworks.issuer_kinds and category in self.frameworks.issued_categories:
            return "authentication"
        return kind

    def sensitivity_of(self, category: str) -> str:
        best, tier = -1, "medium"
        for prefix, level in self.sensitivity.items():
            if (category == prefix or category.startswith(prefix + ".")) and len(prefix) > best:
                best, tier = len(prefix), level
        return tier
