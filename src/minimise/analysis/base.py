"""The state of the per-module pass and the interface its detectors share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import libcst as cst

from minimise.analysis.exports import ExportRecorder
from minimise.analysis.facts import CLEANED, ClassInfo, Label, RawPoint, Scope, Value
from minimise.classify import Classification
from minimise.knowledge import Knowledge, Sink

if TYPE_CHECKING:
    from minimise.analysis.exception_messages import ExceptionMessages

# The kind of a request to a sign-in or token endpoint: the login name and secret in it log in to
# the service that checks them; the rest of what it carries is sent over HTTP like any request.
SIGN_IN_KIND = "sign_in"
_SIGN_IN_CATEGORIES = ("user.authorization", "user.account.username")


class AnalyserBase:
    """Shared state, labelling and emission; the evaluator and the detectors fill in the rest."""

    def __init__(self, knowledge: Knowledge, module_name: str, path: str = "", is_package: bool = False) -> None:
        self.k = knowledge
        self.classifier = knowledge.classifier
        self.module_name = module_name
        self.points: list[RawPoint] = []
        # Calls made up for a deferring call (`add_task(send, email)` as `send(email)`), each with the
        # call in the code whose line they take.
        self.stand_ins: dict[int, tuple[cst.Call, cst.Call]] = {}
        self.module_scope = Scope(module_name, None)
        self.summaries: dict[int, Value] = {}
        # For each analysed function, the label each parameter's own name gave it, by index.
        self.param_labels: dict[int, dict[int, Label]] = {}
        # For each analysed function, what it puts into the objects its positional parameters hold
        # (`payload.update({"email": ...})`, `row["name"] = ...`), by index: its callers' arguments hold it after.
        self.param_gains: dict[int, dict[int, frozenset[Label]]] = {}
        self.in_progress: set[int] = set()
        # Local functions that always return a tuple: what each of its elements carries.
        self.element_summaries: dict[int, tuple[Value, ...]] = {}
        # Module functions that only matter as part of an operator command (see SinkDetection).
        self._helpers_of_commands: frozenset[str] | None = None
        # The handlers of the enclosing `try`s; what they deal with in place is worked out at a raise.
        self.handled_here: list[Sequence[cst.ExceptHandler | cst.ExceptStarHandler]] = []
        # The tests of the enclosing `if`s whose bodies are being read, innermost last (see SinkDetection._raise).
        self.guard_tests: list[cst.BaseExpression] = []
        self._text_names: frozenset[str] | None = None
        self._handled: dict[int, frozenset[str]] = {}
        self._reporting: frozenset[str] | None = None
        self._messages: ExceptionMessages | None = None
        self._renders_here: dict[int, bool] = {}  # id(function) -> renders a page and never redirects
        self._constructed: dict[tuple[str, str], str | None] = {}  # (class, attribute) -> literal given at construction
        self.module_body: Sequence[cst.CSTNode] = ()
        # What the module runs as an operator's script outside its functions (empty: not a script).
        self.script: list[cst.CSTNode] = []
        # Whether the source may call input() or getpass(); the engine clears it from the file's text.
        self.may_prompt = True
        self.classes: dict[str, ClassInfo] = {}
        self._memo: dict[int, Value] = {}
        self._emitted: set[tuple[int, str, str]] = set()
        self._deferred: list[tuple[cst.FunctionDef, Scope]] = []
        self.imported_roots: set[str] = set()
        # Schemas this module's routes only return: their fields are output, not collection.
        self.output_models: set[str] = set()
        self._declared_fields: dict[str, set[str]] = {}
        # Per function (by id): the constructions whose instance the function only asks things of.
        self._transient_calls: dict[int, frozenset[int]] = {}
        # Words of the keys of the dict literal being evaluated: siblings give context.
        self._dict_context: list[tuple[str, ...]] = []
        frameworks = knowledge.frameworks
        self.exports = ExportRecorder(module_name, path, is_package, frameworks.user_objects, frameworks.ttl_keywords)

    def _emit(
        self,
        node: cst.CSTNode,
        action: str,
        label: Label,
        via: str,
        scope: Scope,
        kind: str,
        trace: tuple[str, ...] = (),
    ) -> None:
        if kind == SIGN_IN_KIND:
            if label.category.startswith(_SIGN_IN_CATEGORIES):
                return  # like a credential in an authentication header: used by its receiver, not shared
            kind = "http"
        key = (id(node), action, label.category)
        if key in self._emitted:
            return
        self._emitted.add(key)
        self.points.append(
            RawPoint(
                node,
                action,
                label.category,
                label.identifier,
                via,
                label.protection,
                scope.name,
                self.k.destination_kind(kind, label.category),
                trace or ((label.why,) if label.why else ()),
            )
        )

    def _classify(
        self, name: str, context: tuple[str, ...], user_input: bool = False, is_key: bool = False
    ) -> Classification | None:
        return self.classifier.classify(name, context, user_input, is_key)

    def _label(
        self,
        name: str,
        context: tuple[str, ...],
        user_input: bool = False,
        is_key: bool = False,
        shown: str | None = None,
    ) -> Label | None:
        found = self._classify(name, context, user_input, is_key)
        return self._label_of(found, name, shown) if found is not None else None

    def _request_key(self, node: cst.CSTNode, key: str, origin: str, context: tuple[str, ...], scope: Scope) -> Value:
        """Reading ``key`` from the request container ``origin``: collecting what the key names."""
        label = self._label(key, context, user_input=True, is_key=True)
        if label is None:
            return Value(origin=origin, input_node=node, input_via=origin)
        if self._callers_metadata(label, origin, scope):
            return CLEANED
        self._emit(node, "collect", label, origin, scope, "request")
        return Value(labels=frozenset({label}))

    def _callers_metadata(self, label: Label, container: str | None, scope: Scope) -> bool:
        """Whether ``label`` is a service's device or address: a webhook's own User-Agent, not a person's.

        ``container`` is the request container read from, None for an attribute of the request itself.
        """
        frameworks = self.k.frameworks
        if label.category not in self.k.request_values.values():
            return False
        if frameworks.service_caller_words.isdisjoint(scope.words):
            return False
        return container is None or container.rsplit(".", 1)[-1].removesuffix("()") in frameworks.metadata_containers

    @staticmethod
    def _label_of(found: Classification, name: str, shown: str | None = None) -> Label:
        """The label a classification gives ``name``, with why it matched."""
        why = f"name '{name}' matched '{' '.join(found.matched)}'"
        if found.via_context:
            why += f" in a person context ({found.via_context})"
        return Label(found.category, shown or name, found.protection, why)

    # The evaluator's and detectors' methods, defined by the classes that mix this one in.
    def _assign(self, target: cst.BaseExpression, value: Value, scope: Scope, value_node: cst.CSTNode | None) -> None:
        raise NotImplementedError

    def _bind_loop(self, target: cst.BaseExpression, iterable_node: cst.BaseExpression, scope: Scope) -> None:
        raise NotImplementedError

    def _bind_name(self, name: str, value: Value, scope: Scope) -> Value:
        raise NotImplementedError

    def _bind_params(self, fn: cst.FunctionDef, scope: Scope, route: bool) -> None:
        raise NotImplementedError

    def _call(self, node: cst.Call, scope: Scope) -> Value:
        raise NotImplementedError

    def _function(self, fn: cst.FunctionDef, parent: Scope, cls: ClassInfo | None = None) -> Value:
        raise NotImplementedError

    def _local_function(
        self, func: cst.BaseExpression, scope: Scope
    ) -> tuple[cst.FunctionDef, Scope, ClassInfo | None] | None:
        raise NotImplementedError

    def _class(self, node: cst.ClassDef, scope: Scope) -> None:
        raise NotImplementedError

    def _context_of(self, receiver: cst.CSTNode, scope: Scope) -> tuple[str, ...]:
        raise NotImplementedError

    def _current_dict_context(self) -> tuple[str, ...]:
        raise NotImplementedError

    def _ev(self, node: cst.CSTNode, scope: Scope) -> Value:
        raise NotImplementedError

    def _evaluate(self, node: Any, scope: Scope) -> Value:
        raise NotImplementedError

    def _export_key(self, fn: cst.FunctionDef, parent: Scope, cls: ClassInfo | None) -> str | None:
        raise NotImplementedError

    def _field_write(self, target: cst.Attribute, dotted: str, value: Value, scope: Scope) -> None:
        raise NotImplementedError

    def _flush_writes(self, scope: Scope) -> None:
        raise NotImplementedError

    def _attribute_write(
        self, at: cst.CSTNode, obj: cst.BaseExpression, attr: str, receiver: str, value: Value, scope: Scope
    ) -> None:
        raise NotImplementedError

    def _is_server_session(self, container: cst.BaseExpression, scope: Scope) -> bool:
        raise NotImplementedError

    def _loaded_model(self, node: cst.Call, func: cst.BaseExpression, method: str, scope: Scope) -> str | None:
        raise NotImplementedError

    def _form_field_read(self, node: cst.Attribute, scope: Scope) -> Value | None:
        raise NotImplementedError

    def _submitted_field(self, node: cst.Attribute, attr: str, source: str, scope: Scope) -> Value:
        raise NotImplementedError

    def _is_route(self, fn: cst.FunctionDef, scope: Scope) -> bool:
        raise NotImplementedError

    def _is_table(self, qname: str) -> bool:
        raise NotImplementedError

    def _match_sink(
        self, node: cst.Call, func: cst.BaseExpression, method: str, qname: str | None, scope: Scope
    ) -> Sink | None:
        raise NotImplementedError

    def _configuration(self, qname: str | None) -> bool:
        raise NotImplementedError

    def _qname(self, node: cst.CSTNode, scope: Scope) -> str | None:
        raise NotImplementedError

    def _handled_classes(self, handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler]) -> frozenset[str]:
        raise NotImplementedError

    def _instance_of(self, typed: cst.Annotation | None, scope: Scope) -> str | None:
        raise NotImplementedError

    def _is_sink_object(self, qname: str) -> bool:
        raise NotImplementedError

    def _raise(self, node: cst.Raise, scope: Scope) -> None:
        raise NotImplementedError

    def _record_call(self, node: cst.Call, callee: str, method: str, args: list[Value], scope: Scope) -> None:
        raise NotImplementedError

    def _sanitizer(self, func: cst.BaseExpression, method: str, qname: str | None) -> str | None:
        raise NotImplementedError

    def _settled_elsewhere(self, qname: str, scope: Scope) -> bool:
        raise NotImplementedError

    def _item_labels(
        self, base: Value, key: str | None, scope: Scope, any_key_is_a_claim: bool = False
    ) -> frozenset[Label]:
        raise NotImplementedError

    def _variable_label(self, name: str, scope: Scope) -> Label | None:
        raise NotImplementedError

    def _names_a_things_own(self, expr: cst.BaseExpression, scope: Scope, key: str | None) -> bool:
        raise NotImplementedError

    def _shared_headers(self, headers: Value) -> Value:
        raise NotImplementedError

    def _to_own_service(self, node: cst.Call, url_positions: Sequence[int | str], scope: Scope) -> bool:
        raise NotImplementedError

    def _sink(self, sink: Sink, node: cst.Call, method: str, args: list[Value], scope: Scope) -> None:
        raise NotImplementedError

    @staticmethod
    def _subscript_key(node: cst.Subscript) -> str | None:
        raise NotImplementedError

    def _table_columns(self, node: cst.Call, scope: Scope) -> None:
        raise NotImplementedError
