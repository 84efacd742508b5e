"""Calls that store, log or share: matching a sink and emitting the data its arguments carry."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence

import libcst as cst

from minimise.analysis.base import SIGN_IN_KIND, AnalyserBase
from minimise.analysis.exception_messages import ExceptionMessages, factory_shows
from minimise.analysis.facts import ClassInfo, Label, Scope, Value, named_by_key, union
from minimise.analysis.hosts import names_login_endpoint, names_the_project, url_is_own
from minimise.analysis.sql import sql_columns
from minimise.analysis.syntax import (
    calls_in,
    carrier_parts,
    code_under,
    literal_string,
    name_of,
    self_assignments,
    statements_in,
    whole_objects,
)
from minimise.analysis.vocabulary import PERSON_ADDRESS, RAISED
from minimise.knowledge import Sink
from minimise.words import split_words

# What a signed-in user object shows as its text (Django's `AbstractUser.__str__` is its username).
SIGNED_IN_USER = "user.account.username"


class SinkDetection(AnalyserBase):
    """Matches calls to sinks and emits the data points their arguments carry."""

    def _match_sink(
        self, node: cst.Call, func: cst.BaseExpression, method: str, qname: str | None, scope: Scope
    ) -> Sink | None:
        candidates = list(self.k.sinks_by_method.get(method, ())) + self.k.wildcard_sinks
        if not candidates:
            return None
        is_attr = isinstance(func, cst.Attribute)
        receiver_q = qname.rsplit(".", 1)[0] if qname and "." in qname and is_attr else None
        receiver_name = name_of(func.value) if isinstance(func, cst.Attribute) else None
        for sink in candidates:
            if sink.functions is not None and qname and sink.functions.match(qname):
                return None if sink.own_in_package and self._in_own_package(qname) else sink
            if (
                is_attr
                and method in sink.methods
                and sink.objects is not None
                and receiver_q
                and sink.objects.match(receiver_q)
            ):
                return sink
        for sink in candidates:
            if is_attr and method in sink.any_receiver:
                return sink
        resolved = receiver_q is not None and self._is_import_rooted(func, scope)
        if not resolved and receiver_name:
            words = set(split_words(receiver_name))
            for sink in candidates:
                if is_attr and method in sink.methods and words & sink.receiver_words:
                    return sink
        return None

    def _in_own_package(self, qname: str) -> bool:
        """Whether a resolved name is in the package of the module being read (`app.protos.x` from `app.api`)."""
        package, _, rest = self.module_name.partition(".")
        return bool(rest) and qname.split(".", 1)[0] == package

    def _is_sink_object(self, qname: str) -> bool:
        """Whether an object so named is a sink's receiver (a ``logging.Logger()``, an SMTP client)."""
        return any(sink.objects is not None and sink.objects.match(qname) for sink in self.k.sinks)

    def _is_import_rooted(self, func: cst.BaseExpression, scope: Scope) -> bool:
        """Whether the callee resolves through an import, so name heuristics must not second-guess it."""
        qname = self._qname(func, scope)
        return qname is not None and qname.split(".")[0].rstrip("()") in self.imported_roots

    def _sink(self, sink: Sink, node: cst.Call, method: str, args: list[Value], scope: Scope) -> None:
        if sink.shown_by_render and self._renders_without_redirect(scope):
            return
        if sink.sql:
            self._sql(sink, node, args, scope)
            return
        url_positions = sink.url_for_method.get(method, sink.url_args)
        if sink.kind == "http" and self._to_own_service(node, url_positions, scope):
            return
        key_label: Label | None = None
        if sink.key_value is not None:
            key_index, value_index = sink.key_value
            key_arg = self._positional(node, key_index)
            key = literal_string(key_arg.value) if key_arg is not None else None
            if key is not None:
                key_label = self._label(key, (), is_key=True)
        positional = 0

        @functools.cache
        def login_endpoint() -> bool:
            url = next((a.value for i, a in self._idents(node) if i in url_positions), None)
            return url is not None and names_login_endpoint(url, scope, self.k.frameworks.login_endpoint_words)

        for arg, value in zip(node.args, args, strict=False):
            if arg.keyword is not None:
                ident: int | str = arg.keyword.value
                if ident in sink.ignore_keywords:
                    continue
            elif arg.star:
                ident = "*"
            else:
                ident = positional
                positional += 1
            if sink.args is not None and ident not in sink.args and ident != "*":
                continue
            kind = "console" if scope.console and sink.id in self.k.console_sinks else sink.kind
            if sink.kind == "http" and (ident in url_positions or ident == "params"):
                kind = "url"
            labels = set(value.labels)
            if (
                not labels
                and not value.constant
                and key_label is not None
                and sink.key_value
                and ident == sink.key_value[1]
            ):
                labels.add(key_label)
            if (
                not labels
                and arg.keyword is not None
                and not value.constant
                and sink.action != "store"
                and not self._names_a_things_own(arg.value, scope, arg.keyword.value)
            ):
                label = self._label(arg.keyword.value, (), is_key=True)
                if label is not None:
                    labels.add(named_by_key(label, value))
            if not labels and ident in sink.recipients and not value.constant:
                person = self._person_label(arg.value)
                if person is not None:
                    labels.add(person)
            if sink.action == "log":
                # `log.info("%s signed in", request.user)`: the signed-in user's text is their username.
                labels.update(
                    Label(SIGNED_IN_USER, shown, "none", f"'{shown}' is shown as its text: the user's username")
                    for shown in whole_objects(arg.value, self._username_text_names(arg.keyword is None))
                )
            headers = kind == "http" and ident == "headers"
            if headers and value.fields is not None:
                value = self._shared_headers(value)
            if kind == "http" and not headers and login_endpoint():
                self._emit_value(arg.value, labels, value, sink.action, sink.id, SIGN_IN_KIND, scope)
                continue
            if scope.fn_key is not None:
                self.exports.param_sink(scope.fn_key, value, scope.named_params, sink.action, sink.id, kind, arg.value)
            if headers:
                self._emit_headers(arg.value, value, sink, kind, scope)
                continue
            self._emit_value(arg.value, labels, value, sink.action, sink.id, kind, scope)

    def _to_own_service(self, node: cst.Call, url_positions: Sequence[int | str], scope: Scope) -> bool:
        """Whether a request's URL is the application's own service (its backend, loopback, a private host)."""
        if scope.cls is not None and names_the_project(
            scope.cls.name, self.module_name, self.k.frameworks.own_client_words
        ):
            return True  # `SurfSenseClient.request(...)` in `surfsense_mcp`: the project's own API
        for ident, arg in self._idents(node):
            if ident in url_positions:
                return url_is_own(arg.value, scope, lambda e: self._url_literal(e, scope), self.k.frameworks)
        return False

    def _url_literal(self, expr: cst.BaseExpression, scope: Scope) -> str | None:
        """The literal text of a URL part: a constant, or ``self.base`` when every construction passes one."""
        text = self._ev(expr, scope).literal
        if text is None and isinstance(expr, cst.Attribute) and name_of(expr.value) == "self" and scope.cls is not None:
            return self._constructed_with(scope.cls, expr.attr.value)
        return text

    def _constructed_with(self, cls: ClassInfo, attr: str) -> str | None:
        """The one literal every call of ``cls`` in this module passes to the parameter ``__init__`` keeps in ``attr``.

        ``self.domain = domain`` with ``UserCreation(domain="http://localhost:8080")`` (or a module
        constant holding it) at each construction: the attribute is that literal.
        """
        key = (cls.name, attr)
        if key in self._constructed:
            return self._constructed[key]
        self._constructed[key] = None
        init = cls.methods.get("__init__")
        if init is None:
            return None
        positional = [p.name.value for p in (*init.params.posonly_params, *init.params.params)][1:]
        kept = [v.value for a, v in self_assignments(init.body) if a == attr and isinstance(v, cst.Name)]
        if len(kept) != 1 or kept[0] not in positional + [p.name.value for p in init.params.kwonly_params]:
            return None
        param = kept[0]
        texts: set[str] = set()
        for call in (c for stmt in self.module_body for c in calls_in(stmt, limit=5_000)):
            if name_of(call.func) != cls.name:
                continue
            given = [a.value for a in call.args if a.keyword is not None and a.keyword.value == param]
            plain = [a.value for a in call.args if a.keyword is None and not a.star]
            if not given and param in positional and positional.index(param) < len(plain):
                given = [plain[positional.index(param)]]
            text = self._module_literal(given[0]) if given else None
            if text is None:
                return None
            texts.add(text)
        self._constructed[key] = texts.pop() if len(texts) == 1 else None
        return self._constructed[key]

    def _module_literal(self, expr: cst.BaseExpression) -> str | None:
        """A string literal, or a module-level name bound to one."""
        if isinstance(expr, cst.SimpleString):
            return literal_string(expr)
        if isinstance(expr, cst.Name):
            bound = self.module_scope.vars.get(expr.value)
            return bound.literal if bound is not None and bound.constant else None
        return None

    @staticmethod
    def _idents(node: cst.Call) -> Iterator[tuple[int | str, cst.Arg]]:
        """Each argument of a call before the first spread, with its position or keyword."""
        positional = 0
        for arg in node.args:
            if arg.star:
                return
            yield (arg.keyword.value if arg.keyword is not None else positional), arg
            positional += arg.keyword is None

    def _emit_headers(self, expr: cst.BaseExpression, value: Value, sink: Sink, kind: str, scope: Scope) -> None:
        """Headers of a request: a credential in an authentication header is used by its receiver, not shared."""
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                sub = self._ev(element.value, scope)
                key = literal_string(element.key) if isinstance(element, cst.DictElement) else None
                if not self._unshared_header(key, sub):
                    self._emit_value(element.value, set(sub.labels), sub, sink.action, sink.id, kind, scope)
            return
        self._emit_value(expr, set(value.labels), value, sink.action, sink.id, kind, scope)

    def _shared_headers(self, headers: Value) -> Value:
        """Request headers without those that describe the client or authenticate the request."""
        kept = {key: sub for key, sub in (headers.fields or {}).items() if not self._unshared_header(key, sub)}
        merged = union(list(kept.values()))
        return Value(labels=merged.labels, params=merged.params, fields=kept)

    def _unshared_header(self, header: str | None, value: Value) -> bool:
        """A header describing the app's client, or one whose credential authenticates the request."""
        if header is None:
            return False
        name = header.lower()
        if name in self.k.frameworks.client_headers:
            return True
        return name in self.k.frameworks.authentication_headers and all(
            lb.category.startswith("user.authorization") for lb in value.labels
        )

    def _person_label(self, node: cst.BaseExpression) -> Label | None:
        """A person object (``user``, ``invitation.user``) given as a message's recipient stands for their address."""
        name = name_of(node) or ""
        if not set(split_words(name)) & self.classifier.person:
            return None
        return Label(PERSON_ADDRESS, name, "none", f"'{name}' is a person given as the recipient: their address")

    def _positional(self, node: cst.Call, index: int) -> cst.Arg | None:
        positional = [a for a in node.args if a.keyword is None and not a.star]
        return positional[index] if index < len(positional) else None

    def _emit_value(
        self, expr: cst.BaseExpression, labels: set[Label], value: Value, action: str, via: str, kind: str, scope: Scope
    ) -> None:
        """Emit data points at the argument, or at each entry of a literal spread over lines."""
        if isinstance(expr, cst.Dict):
            for element in expr.elements:
                if isinstance(element, cst.DictElement):
                    key = literal_string(element.key)
                    # What the dict holds under the key, which the key may have said more of (`{"email": address}`).
                    held = value.fields.get(key) if value.fields is not None and key is not None else None
                    sub = held if held is not None else self._ev(element.value, scope)
                    self._emit_value(element.value, set(sub.labels), sub, action, via, kind, scope)
                else:
                    sub = self._ev(element.value, scope)
                    self._emit_value(element.value, set(sub.labels), sub, action, via, kind, scope)
            return
        if isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            for item in expr.elements:
                sub = self._ev(item.value, scope)
                self._emit_value(item.value, set(sub.labels), sub, action, via, kind, scope)
            return
        if isinstance(expr, cst.Call) and (name_of(expr.func) == "dict") and expr.args:
            for arg in expr.args:
                sub = self._ev(arg.value, scope)
                sub_labels = set(sub.labels)
                if not sub_labels and arg.keyword is not None and not sub.constant:
                    label = self._label(arg.keyword.value, (), is_key=True)
                    if label:
                        sub_labels.add(named_by_key(label, sub))
                self._emit_value(arg.value, sub_labels, sub, action, via, kind, scope)
            return
        # `emails.count()`, `name.isdigit()`: a value known to be clean carries none of its parts.
        parts = carrier_parts(expr) if value.labels or not value.constant else []
        if parts:
            covered: set[Label] = set()
            for part in parts:
                part_value = self._memo.get(id(part))
                if part_value is None or not part_value.labels:
                    continue
                covered |= part_value.labels
                self._emit_value(part, set(part_value.labels), part_value, action, via, kind, scope)
            labels = labels - covered
        for label in sorted(labels, key=lambda lb: (lb.category, lb.identifier)):
            if action != "store" and label.protection != "none":
                continue
            self._emit(expr, action, label, via, scope, kind)

    def _raise(self, node: cst.Raise, scope: Scope) -> None:
        exc = node.exc
        if exc is None:
            return
        self._ev(exc, scope)
        if not isinstance(exc, cst.Call):
            return
        if (name_of(exc.func) or "").endswith(tuple(self.k.frameworks.validation_exceptions)):
            return  # a validation message is shown to the person who typed the value, not logged
        if self._qname(exc.func, scope) in self.k.frameworks.silent_http_errors:
            return  # an error page: the framework logs the path it was asked for, not the message
        kind = "console" if scope.console else "exception"  # a command's error is printed for its operator
        raised = name_of(exc.func) or ""
        if any(raised in names or "*" in names for names in map(self._handled_classes, self.handled_here)):
            for arg in exc.args:
                self._ev(arg.value, scope)
            return  # caught a few lines below and shown or dropped there, never logged
        factory = self.module_scope.functions.get(exc.func.value) if isinstance(exc.func, cst.Name) else None
        # `raise type_error("val", "str", val)`: a factory's exception shows the arguments it builds it from.
        carried = (
            factory_shows(factory, self.k.cleaning_attributes)
            if factory is not None
            else self._message_params(exc.func)
        )
        if carried is None and self._raised_from_the_project(exc.func, scope):
            # Another module's exception class: the project link reads which arguments its message shows.
            self._record_call(
                exc, self._qname(exc.func, scope) or "", RAISED, [self._ev(a.value, scope) for a in exc.args], scope
            )
            return
        guarded = self._checked_shape(scope)
        positional = 0
        for arg in exc.args:
            arg_value = self._ev(arg.value, scope)
            if carried is not None:
                place: int | str = arg.keyword.value if arg.keyword is not None else positional
                positional += arg.keyword is None
                if place not in carried:
                    continue  # the class builds its message without this argument (`super().__init__("Invalid ID")`)
            elif arg.keyword is not None and arg.keyword.value not in self.k.frameworks.exception_message_keywords:
                continue  # headers=, status_code=: only the message of an exception is its message
            if scope.fn_key is not None and arg.keyword is None:
                self.exports.param_sink(
                    scope.fn_key, arg_value, scope.named_params, "log", "exception", kind, arg.value, guarded
                )
            self._emit_value(arg.value, set(arg_value.labels), arg_value, "log", "exception", kind, scope)

    def _username_text_names(self, in_the_text: bool) -> frozenset[str]:
        """What shows a user's username when logged whole: `request.user`, and `user` where the module uses auth.

        A plain `user` counts only in the text of the message: a structured logger's field (`user=user`)
        is serialised as the project's logger chooses, often as the id.
        """
        if not in_the_text:
            return self.k.frameworks.username_text_objects
        names = self._text_names
        if names is None:
            modules = self.k.frameworks.username_text_modules
            uses_auth = any(
                value.qname and any(value.qname == m or value.qname.startswith(m + ".") for m in modules)
                for value in self.module_scope.vars.values()
            )
            names = self.k.frameworks.username_text_objects | ({"user"} if uses_auth else frozenset())
            self._text_names = names
        return names

    def _checked_shape(self, scope: Scope) -> frozenset[int]:
        """Parameters whose own shape the enclosing test checks (`if not has_keys(record): raise ...`).

        The raise is a precondition of the function: a record its callers build is never shown there.
        A test of one item (`record["email"]`) checks what a person typed, and a parameter named for
        personal data is that data, so neither counts.
        """
        if not self.guard_tests:
            return frozenset()
        test = self.guard_tests[-1]
        items = {
            n.value.value
            for n in code_under(test, cst.Subscript)
            if isinstance(n, cst.Subscript) and isinstance(n.value, cst.Name)
        } | {
            c.func.value.value
            for c in code_under(test, cst.Call)
            if isinstance(c, cst.Call)
            and isinstance(c.func, cst.Attribute)
            and isinstance(c.func.value, cst.Name)
            and c.func.attr.value in ("get", "pop")
        }
        found: set[int] = set()
        for node in code_under(test, cst.Name):
            if isinstance(node, cst.Name) and node.value not in items:
                value = scope.vars.get(node.value)
                if value is not None:
                    found |= value.params
        return frozenset(found - scope.named_params)

    def _handled_classes(self, handlers: Sequence[cst.ExceptHandler | cst.ExceptStarHandler]) -> frozenset[str]:
        """The exception classes a ``try``'s handlers catch and deal with in place: no raise, no log, no report.

        ``except ActivationError as e: return render(..., {"message": e.args[0]})`` shows the message on the
        page; it is not an exception message a log or an error tracker receives. ``*`` stands for every class.
        """
        known = self._handled.get(id(handlers))
        if known is not None:
            return known
        reporting = self._reporting_names()
        names: set[str] = set()
        for handler in handlers:
            calls = calls_in(handler.body, limit=500)
            if any(isinstance(n, cst.Raise) for n in statements_in(handler.body)):
                continue
            if any((name_of(c.func) or "") in reporting for c in calls):
                continue
            caught = handler.type
            if caught is None:
                names.add("*")
                continue
            for item in caught.elements if isinstance(caught, cst.Tuple) else [caught]:
                node = item.value if isinstance(item, cst.Element) else item
                name = name_of(node) or ""
                names.add("*" if name in ("Exception", "BaseException") else name)
        self._handled[id(handlers)] = frozenset(names)
        return self._handled[id(handlers)]

    def _reporting_names(self) -> frozenset[str]:
        """Names of the calls that log or report (``error``, ``exception``, ``capture_exception``, ``print``)."""
        if self._reporting is None:
            found: set[str] = set()
            for sink in self.k.sinks:
                if sink.action in ("log", "share"):
                    found |= sink.methods | sink.function_names
            self._reporting = frozenset(found)
        return self._reporting

    def _renders_a_template(self, node: cst.CSTNode | None) -> bool:
        """Whether ``node`` calls something whose name says it renders a template (``render_to_string``)."""
        if not isinstance(node, cst.Call):
            return False
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        return any(word in self.k.frameworks.renderer_words for word in split_words(name))

    def _renders_without_redirect(self, scope: Scope) -> bool:
        """Whether the function around ``scope`` renders a page and never redirects (read once per function)."""
        current: Scope | None = scope
        while current is not None and current.node is None:
            current = current.parent
        if current is None or current.node is None:
            return False
        known = self._renders_here.get(id(current.node))
        if known is None:
            calls = calls_in(current.node.body, limit=5_000)
            redirects = any("redirect" in split_words(name_of(call.func) or "") for call in calls)
            known = not redirects and any(self._renders_a_template(call) for call in calls)
            self._renders_here[id(current.node)] = known
        return known

    def _raised_from_the_project(self, func: cst.BaseExpression, scope: Scope) -> bool:
        """Whether a raised class is imported from another module of the same project (its top package)."""
        if isinstance(func, cst.Name) and func.value in self.classes:
            return False
        qname = self._qname(func, scope)
        return qname is not None and "." in qname and qname.split(".")[0] == self.module_name.split(".")[0]

    def export_messages(self) -> None:
        """Record, for the project link, which constructor arguments each exception class's message shows."""
        for name, cls in self.classes.items():
            carried = self._class_message(cls)
            if carried is not None:
                self.exports.message_of(name, carried)

    def _message_params(self, func: cst.BaseExpression) -> set[int | str] | None:
        """The constructor arguments (positions and keywords) a module's own exception class puts in its message.

        None when unknown: a class of another module, or an ``__init__`` that never calls the base's
        ``__init__`` (Python then keeps every argument in ``args``, and ``str(e)`` shows them).
        """
        cls = self.classes.get(func.value) if isinstance(func, cst.Name) else None
        return self._class_message(cls) if cls is not None else None

    def _class_message(self, cls: ClassInfo) -> set[int | str] | None:
        if self._messages is None:
            self._messages = ExceptionMessages(
                self.classes, self.exports.class_bases, self.module_name, self.k.frameworks.exception_message_keywords
            )
        return self._messages.shown(cls)

    def _is_operator_command(self, fn: cst.FunctionDef, parent: Scope, cls: ClassInfo | None) -> bool:
        """A click/typer command, or a method of a Django management command: its output is its operator's."""
        if cls is not None:
            return self._is_command_class(cls.name)
        if parent is self.module_scope and fn.name.value in self._command_helpers():
            return True  # a command's own helper prints to its operator too
        if self._prompts_at_a_terminal(fn.body, parent):
            return True  # a function that asks its user with input() is talking to whoever runs it
        return any(self._console_decorator(d.decorator, parent, depth=0) for d in fn.decorators)

    def _prompts_at_a_terminal(self, body: cst.BaseSuite, scope: Scope) -> bool:
        """Whether a function asks at the terminal (`input()`, `getpass()`): an interactive operator script."""
        if not self.may_prompt:
            return False  # the source never names a prompt: no need to walk the body
        return any(self._qname(call.func, scope) in self.k.input_functions for call in calls_in(body, limit=50_000))

    def _is_command_class(self, name: str) -> bool:
        pattern = self.k.console_bases
        return pattern is not None and any(pattern.match(base) for base in self.exports.class_bases.get(name, ()))

    def _command_helpers(self) -> frozenset[str]:
        """Module functions a command of this module calls, directly or through other module functions."""
        if self._helpers_of_commands is not None:
            return self._helpers_of_commands
        functions = self.module_scope.functions
        pattern = self.k.console_bases
        # Read from the module's own statements: a helper may be analysed before the class below it.
        bodies: list[cst.CSTNode] = [
            stmt.body
            for stmt in self.module_body
            if isinstance(stmt, cst.ClassDef)
            and pattern is not None
            and any((q := self._qname(b.value, self.module_scope)) and pattern.match(q) for b in stmt.bases)
        ]
        bodies += [
            fn.body
            for fn in functions.values()
            if any(self._console_decorator(d.decorator, self.module_scope, depth=0) for d in fn.decorators)
            or self._prompts_at_a_terminal(fn.body, self.module_scope)
        ]
        # What a script runs at its top level and under `if __name__ == "__main__":`: only what it calls
        # there (`app.add_url_rule(view_func=index)` hands a view to the web server, not to the operator).
        reached = {
            call.func.value
            for stmt in self.script
            for call in calls_in(stmt, limit=50_000)
            if isinstance(call.func, cst.Name) and call.func.value in functions
        }
        bodies += [functions[name].body for name in reached]
        while bodies:
            # A command's function runs what it calls or hands on (`asyncio.run(main())`, `(("crawl", crawl),)`).
            for name in code_under(bodies.pop(), cst.Name):
                assert isinstance(name, cst.Name)
                if name.value in functions and name.value not in reached:
                    reached.add(name.value)
                    bodies.append(functions[name.value].body)
        self._helpers_of_commands = frozenset(reached)
        return self._helpers_of_commands

    def _console_decorator(self, expr: cst.BaseExpression, scope: Scope, depth: int) -> bool:
        if isinstance(expr, cst.Call):
            expr = expr.func
        if not isinstance(expr, cst.Attribute) or expr.attr.value not in self.k.console_methods:
            return False
        qname = self._qname(expr.value, scope)
        if qname and self.k.console_receivers is not None and self.k.console_receivers.match(qname):
            return True
        if self.k.console_libraries & self.imported_roots:
            return True
        # `@users.command("new")` where `users` is a command group defined in this module.
        group = self.module_scope.functions.get(expr.value.value) if isinstance(expr.value, cst.Name) else None
        return (
            group is not None
            and depth < 3
            and any(self._console_decorator(d.decorator, self.module_scope, depth + 1) for d in group.decorators)
        )

    def _sql(self, sink: Sink, node: cst.Call, args: list[Value], scope: Scope) -> None:
        if not node.args:
            return
        statement_arg: cst.CSTNode = node.args[0].value
        text = args[0].literal if args else None
        if text is not None and isinstance(statement_arg, cst.Name) and args[0].node is not None:
            statement_arg = args[0].node
        if text is None and isinstance(statement_arg, cst.Name):
            bound = scope.lookup(statement_arg.value)
            text = bound.literal if bound is not None else None
            if bound is not None and bound.node is not None:
                statement_arg = bound.node
        if text is None and isinstance(statement_arg, cst.Call) and statement_arg.args:
            text = literal_string(statement_arg.args[0].value)
            if text is not None:
                statement_arg = statement_arg.args[0].value
        if text is None:
            return
        columns, table = sql_columns(text)
        if not columns:
            return
        params_value: list[Value] = []
        if len(node.args) > 1 and isinstance(node.args[1].value, (cst.Tuple, cst.List)):
            params_value = [self._ev(e.value, scope) for e in node.args[1].value.elements]
        context = split_words(table) if table else ()
        for index, column in enumerate(columns):
            label = self._label(column, context, is_key=True)
            if label is None:
                continue
            protection = label.protection
            if protection == "none" and index < len(params_value):
                protected = {lb.protection for lb in params_value[index].labels if lb.protection != "none"}
                if protected:
                    protection = sorted(protected)[0]
            self._emit(
                statement_arg, "store", Label(label.category, column, protection, label.why), "sql", scope, "database"
            )

    def _sanitizer(self, func: cst.BaseExpression, method: str, qname: str | None) -> str | None:
        words = split_words(method) if method else ()
        for sanitizer in self.k.sanitizers:
            if qname and sanitizer.functions and sanitizer.functions.match(qname):
                return sanitizer.protection
            if method and method in sanitizer.method_names:
                return sanitizer.protection
            # A helper's name says what it does (`encrypt_email`); a class's (`AESCipher(key)`) names the
            # object it builds from its arguments, not their protected form.
            if words and not method[:1].isupper() and any(w in sanitizer.name_words for w in words):
                return sanitizer.protection
        return None
