"""Extracting raw data points from one parsed module: statements, bindings, functions and calls."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.deferred import deferred_call
from minimise.analysis.facts import (
    CLEAN,
    CLEANED,
    EMPTY,
    STRICT,
    ClassInfo,
    Label,
    RawPoint,
    Scope,
    Value,
    keep_what_a_branch_may_skip,
    outside_its_frame,
    protect,
    union,
)
from minimise.analysis.links import ProjectLinks, nested_key
from minimise.analysis.models import ModelDetection
from minimise.analysis.naming import VariableNaming
from minimise.analysis.patterns import MatchBindings
from minimise.analysis.requests import RequestDetection
from minimise.analysis.sinks import SinkDetection
from minimise.analysis.syntax import (
    dotted_name,
    format_arguments,
    literal_string,
    mail_domain_index,
    name_of,
    names_a_file,
    number_guard,
    only_jumps,
    output_models,
    script_statements,
    swallowing_handler,
    text_guard,
)
from minimise.analysis.thing_names import holds_a_things_name
from minimise.analysis.values import ValueEvaluation
from minimise.analysis.writes import RuntimeWrites
from minimise.words import is_constant_name, split_words


class ModuleAnalyser(
    ValueEvaluation,
    VariableNaming,
    MatchBindings,
    ModelDetection,
    RequestDetection,
    SinkDetection,
    ProjectLinks,
    RuntimeWrites,
    AnalyserBase,
):
    """Runs the data-flow pass over one module and collects raw data points."""

    def run(self, module: cst.Module) -> list[RawPoint]:
        self.module_body = module.body
        self.output_models = output_models(module.body)
        self.script = script_statements(module.body)
        self.module_scope.console = bool(self.script)
        self._prescan(module.body, self.module_scope)
        self._block(module.body, self.module_scope)
        while self._deferred:
            fn, parent = self._deferred.pop(0)
            self._function(fn, parent)
        self.export_messages()
        return self.points

    def _prescan(self, body: Any, scope: Scope) -> None:
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                scope.functions[stmt.name.value] = stmt

    def _block(self, body: Any, scope: Scope) -> None:
        for stmt in body:
            try:
                self._statement(stmt, scope)
            except RecursionError:
                raise
            except Exception:  # noqa: BLE001 - one odd statement must not hide the rest
                if STRICT:
                    raise
                continue

    def _suite(self, suite: cst.BaseSuite | None, scope: Scope) -> None:
        if suite is None:
            return
        if isinstance(suite, cst.IndentedBlock):
            self._block(suite.body, scope)
        elif isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                self._small(small, scope)

    def _statement(self, stmt: cst.CSTNode, scope: Scope) -> None:
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                self._small(small, scope)
        elif isinstance(stmt, cst.FunctionDef):
            if scope.function:
                self._function(stmt, scope)
            else:
                self._deferred.append((stmt, scope))
        elif isinstance(stmt, cst.ClassDef):
            self._class(stmt, scope)
        elif isinstance(stmt, (cst.If, cst.While)):
            before = dict(scope.vars)
            self._ev(stmt.test, scope)
            narrowed = number_guard(stmt.test) if isinstance(stmt, cst.If) else None
            if narrowed is not None and narrowed in scope.vars:
                scope.vars[narrowed] = EMPTY  # `if value is None or isinstance(value, int)`: no text in here
            self.guard_tests.append(stmt.test)
            try:
                self._suite(stmt.body, scope)
            finally:
                self.guard_tests.pop()
            if narrowed is not None and narrowed in before and scope.vars.get(narrowed) is EMPTY:
                scope.vars[narrowed] = before[narrowed]
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                self._statement(orelse, scope)
            elif orelse is not None:
                self._suite(orelse.body, scope)
            keep_what_a_branch_may_skip(before, scope)
            passed = text_guard(stmt.test) if isinstance(stmt, cst.If) and stmt.orelse is None else None
            if passed is not None and passed in scope.vars and only_jumps(stmt.body):
                # `if isinstance(value, str): continue` and then `raise ValueError(value)`: no text gets past
                scope.vars[passed] = EMPTY
        elif isinstance(stmt, cst.For):
            self._bind_loop(stmt.target, stmt.iter, scope)
            self._suite(stmt.body, scope)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, scope)
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                value = self._ev(item.item, scope)
                if item.asname is not None:
                    self._assign(item.asname.name, value, scope, item.item)
            self._suite(stmt.body, scope)
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            shown = tuple(self.k.frameworks.validation_exceptions)
            swallows = any(swallowing_handler(h, shown) for h in stmt.handlers)
            scope.swallowing += swallows
            self.handled_here.append(stmt.handlers)
            try:
                self._suite(stmt.body, scope)
            finally:
                scope.swallowing -= swallows
                self.handled_here.pop()
            for handler in stmt.handlers:
                if handler.name is not None:
                    self._assign(handler.name.name, EMPTY, scope, None)
                self._suite(handler.body, scope)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, scope)
            if stmt.finalbody is not None:
                self._suite(stmt.finalbody.body, scope)
        elif isinstance(stmt, cst.Match):
            subject = self._ev(stmt.subject, scope)
            for case in stmt.cases:
                self._bind_pattern(case.pattern, subject, scope)
                if case.guard is not None:
                    self._ev(case.guard, scope)
                self._suite(case.body, scope)

    def _small(self, small: cst.BaseSmallStatement, scope: Scope) -> None:
        if isinstance(small, cst.Expr):
            self._ev(small.value, scope)
        elif isinstance(small, cst.Assign):
            value = self._ev(small.value, scope)
            for target in small.targets:
                self._assign(target.target, value, scope, small.value)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                value = self._ev(small.value, scope)
                self._assign(small.target, value, scope, small.value)
        elif isinstance(small, cst.AugAssign):
            value = union([self._ev(small.target, scope), self._ev(small.value, scope)])
            self._assign(small.target, value, scope, small.value)
        elif isinstance(small, cst.Return):
            if small.value is not None:
                scope.returns.append(self._ev(small.value, scope))
                returned = small.value
                if isinstance(returned, cst.Tuple) and scope.element_returns is not None:
                    scope.element_returns.append(tuple(self._ev(e.value, scope) for e in returned.elements))
                else:
                    scope.element_returns = None
        elif isinstance(small, cst.Raise):
            self._raise(small, scope)
        elif isinstance(small, cst.Import):
            for alias in small.names:
                full = dotted_name(alias.name) or ""
                self.imported_roots.add(full.split(".")[0])
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    scope.vars[alias.asname.name.value] = Value(qname=full)
                else:
                    head = full.split(".")[0]
                    scope.vars[head] = Value(qname=head)
        elif isinstance(small, cst.ImportFrom):
            base = dotted_name(small.module) if small.module is not None else ""
            base = "." * len(small.relative) + (base or "")
            if base.startswith("."):
                base = self.exports.absolute(base)
            if isinstance(small.names, cst.ImportStar):
                if base and not base.startswith(".") and scope is self.module_scope:
                    self.exports.star_imports.append(base)
                return
            if base:
                self.imported_roots.add(base.split(".")[0])
            for alias in small.names:
                name = dotted_name(alias.name) or ""
                local = (
                    alias.asname.name.value
                    if alias.asname is not None and isinstance(alias.asname.name, cst.Name)
                    else name
                )
                # `from .constants import LABEL_DESCRIPTION`: another module's constant, the same for everyone.
                scope.vars[local] = Value(qname=f"{base}.{name}" if base else name, constant=is_constant_name(local))
        elif isinstance(small, cst.Assert):
            self._ev(small.test, scope)

    def _assign(self, target: cst.BaseExpression, value: Value, scope: Scope, value_node: cst.CSTNode | None) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            # `full_name = f"{ctf_name}.zip"` names a file: the variable's name says nothing of what it holds.
            named_by_contents = (
                not names_a_file(value_node)
                and not self._renders_a_template(value_node)
                and not (
                    isinstance(value_node, cst.BaseExpression)
                    and not value.labels
                    and holds_a_things_name(value_node, self.classifier)
                )
            )
            scope.vars[name] = self._bind_name(name, value, scope) if named_by_contents else value
            scope.rebound.add(name)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            unpacked = self._returned_elements(value_node, len(elements), scope)
            if isinstance(value_node, (cst.Tuple, cst.List)) and len(value_node.elements) == len(elements):
                for element, sub in zip(elements, value_node.elements, strict=False):
                    self._assign(element, self._ev(sub.value, scope), scope, sub.value)
            elif unpacked is not None:
                for element, carried in zip(elements, unpacked, strict=True):
                    self._assign(element, carried, scope, None)  # `item, _ = helper(entry)`: each its own
            else:
                domain_at = mail_domain_index(value_node)
                for position, element in enumerate(elements):
                    if position == domain_at:
                        self._assign(element, CLEAN, scope, None)  # `_, domain = email.split("@", 1)`
                        continue
                    # Each part of a clean value is clean (`for family, *_, sockaddr in getaddrinfo(host)`).
                    clean = value.constant and not value.labels and not value.params
                    self._assign(
                        element, CLEAN if clean else Value(labels=value.labels, params=value.params), scope, None
                    )
        elif isinstance(target, cst.Attribute):
            if target.attr.value in self.k.frameworks.server_session_attributes:
                self.exports.server_sessions = True  # `app.session_interface = RedisSessionInterface()`
            dotted = dotted_name(target)
            if dotted is None:
                return
            if dotted.startswith("self.") and scope.cls is not None:
                scope.vars[dotted] = value  # read back in this method, its parameters are this method's
                scope.cls.attrs[dotted] = outside_its_frame(value)
                if scope.fn_key == f"{scope.cls.name}.__init__":
                    # Only a parameter kept whole (`self.to = to`): `self.to = kw["to"]` keeps one item, and
                    # `self.to = "ops@..."` afterwards keeps none of it. A record loaded in a branch
                    # (`self.to = row.email`) may replace it or not: the parameter still counts.
                    if value.params and not value.keyed_params:
                        scope.cls.init_params[dotted] = value.params
                    elif value.keyed_params or value.constant:
                        scope.cls.init_params.pop(dotted, None)
                if scope.cls.store is not None:
                    self._field_write(target, dotted, value, scope)
            else:
                scope.vars[dotted] = value
                self._field_write(target, dotted, value, scope)
        elif isinstance(target, cst.Subscript):
            self._assign_item(target, value, scope)
        elif isinstance(target, cst.StarredElement):
            self._assign(target.value, value, scope, None)

    def _returned_elements(self, node: cst.CSTNode | None, count: int, scope: Scope) -> list[Value] | None:
        """What each element of a local function's returned tuple carries at this call, if it always returns one."""
        if not isinstance(node, cst.Call):
            return None
        local = self._local_function(node.func, scope)
        if local is None:
            return None
        fn, _parent, cls = local
        columns = self.element_summaries.get(id(fn))
        if columns is None or len(columns) != count:
            return None
        args = [self._memo.get(id(arg.value), EMPTY) for arg in node.args]
        is_method = isinstance(node.func, cst.Attribute) and cls is not None
        return [self._apply_summary(column, node, args, None, is_method, fn) for column in columns]

    def _assign_item(self, target: cst.Subscript, value: Value, scope: Scope) -> None:
        key = self._subscript_key(target)
        container = target.value
        cookie_via = None
        if isinstance(container, cst.Attribute) and container.attr.value == "cookies":
            cookie_via = "cookie"
        elif self._qname(container, scope) in self.k.frameworks.cookie_sessions:
            cookie_via = "flask.session"  # Flask's default session is a signed cookie: readable by its holder
        kind = "cookie"
        if cookie_via is None and self._is_server_session(container, scope):
            cookie_via, kind = "django.session", "session"  # kept in the session store, keyed by the cookie
        if cookie_via is not None and key is not None:
            label = self._label(key, (), is_key=True)
            labels = [lb for lb in value.labels] or ([label] if label and not value.constant else [])
            for lb in labels:
                self._emit(target, "store", lb, cookie_via, scope, kind)
            return
        while isinstance(container, cst.Subscript):
            key = self._subscript_key(container) if key is None else key
            container = container.value
        dotted = dotted_name(container)
        if dotted is None:
            return
        if "." not in dotted:
            scope.mutated.add(dotted)
        current = scope.lookup(dotted) if "." not in dotted else scope.vars.get(dotted)
        if current is None:
            current = EMPTY
        added = value
        if key is not None and not value.constant and not value.labels:
            label = self._label(key, split_words(dotted), is_key=True)
            if label is not None:
                added = Value(labels=frozenset({label}))
        fields = dict(current.fields or {})
        if key is not None:
            fields[key] = added
        merged = Value(
            labels=current.labels | added.labels,
            qname=current.qname,
            origin=current.origin,
            fields=fields,
            params=current.params | added.params,
        )
        scope.vars[dotted] = merged

    def _is_server_session(self, container: cst.BaseExpression, scope: Scope) -> bool:
        """``request.session`` of a Django (or Starlette) request: a server-side session store."""
        if not (isinstance(container, cst.Attribute) and container.attr.value == "session"):
            return False
        return self._ev(container.value, scope).request is not None

    @staticmethod
    def _subscript_key(node: cst.Subscript) -> str | None:
        if len(node.slice) != 1:
            return None
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            return literal_string(index.value)
        return None

    def _function(self, fn: cst.FunctionDef, parent: Scope, cls: ClassInfo | None = None) -> Value:
        key = id(fn)
        done = self.summaries.get(key)
        if done is not None:
            return done
        if key in self.in_progress:
            return EMPTY
        self.in_progress.add(key)
        cls = cls or parent.cls
        words = split_words(fn.name.value) + (cls.words if cls else ()) + parent.words
        scope = Scope(f"{parent.name}.{fn.name.value}", parent, words=words, cls=cls, function=True, node=fn)
        scope.fn_key = self._export_key(fn, parent, cls)
        # A script's functions are its operator's only when its top level calls them (see `_command_helpers`).
        inherited = parent.console and parent is not self.module_scope
        scope.console = inherited or self._is_operator_command(fn, parent, cls)
        route = self._is_route(fn, parent)
        self._bind_params(fn, scope, route)
        self._prescan(fn.body.body if isinstance(fn.body, cst.IndentedBlock) else (), scope)
        # A function's summary serves every caller: a `try` around the call that first evaluates it
        # must not count as handling what the function raises.
        outer_handlers, self.handled_here = self.handled_here, []
        outer_guards, self.guard_tests = self.guard_tests, []
        try:
            self._suite(fn.body, scope)
        finally:
            self.handled_here = outer_handlers
            self.guard_tests = outer_guards
        summary = union(scope.returns)
        if len(scope.returns) == 1:
            summary = scope.returns[0]
        if summary.qname is None and scope.returns:
            qnames = {r.qname for r in scope.returns if r.qname}
            if len(qnames) == 1:
                summary = Value(labels=summary.labels, qname=qnames.pop(), params=summary.params)
        if summary.qname is None and fn.returns is not None:
            # A project's logger factory (`def get_logger() -> logging.Logger`) often returns a module
            # global set elsewhere; the annotation still says what comes back.
            typed = self._instance_of(fn.returns, scope)
            if typed is not None and self._is_sink_object(typed):
                summary = Value(labels=summary.labels, qname=typed, params=summary.params)
        self.summaries[key] = summary
        self.param_labels[key] = scope.param_labels
        self.param_gains[key] = _parameter_gains(fn, scope)
        rows = scope.element_returns
        if rows and len({len(row) for row in rows}) == 1:
            self.element_summaries[key] = tuple(union(list(column)) for column in zip(*rows, strict=True))
        self.in_progress.discard(key)
        self._flush_writes(scope)
        if scope.fn_key is not None:
            self.exports.returns(scope.fn_key, summary)
        return summary

    def _ev(self, node: cst.CSTNode, scope: Scope) -> Value:
        key = id(node)
        found = self._memo.get(key)
        if found is not None:
            return found
        value = self._evaluate(node, scope)
        self._memo[key] = value
        return value

    def _call(self, node: cst.Call, scope: Scope) -> Value:
        func = node.func
        method = (
            func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
        )
        receiver = self._ev(func.value, scope) if isinstance(func, cst.Attribute) else EMPTY
        qname = self._qname(func, scope)
        if isinstance(func, cst.Name) and qname and "." in qname and not qname.endswith(")"):
            # `from django.core.mail import send_mail as notify`: the call is send_mail's, whatever its local name.
            method = qname.rsplit(".", 1)[1]
        deferred = deferred_call(node, func, method, qname, self.k.frameworks.deferred_calls)
        if deferred is not None:
            self.stand_ins[id(deferred)] = (deferred, node)
            self._call(deferred, scope)
            return EMPTY  # a task, a future or a thread: not the data it was given
        callee = name_of(func)
        # Arguments of Patient(...) or create_user(...) are about a person: give keys read inside that context.
        constructor = callee is not None and callee[:1].isupper()
        self._dict_context.append(self._current_dict_context() + (split_words(callee) if constructor else ()))
        try:
            args = [self._ev(arg.value, scope) for arg in node.args]
        finally:
            self._dict_context.pop()
        if method == "format" and isinstance(func, cst.Attribute):
            # An argument the literal template has no field for never reaches the text.
            reaching = {id(arg) for arg in format_arguments(node)}
            args = [value if id(arg) in reaching else EMPTY for arg, value in zip(node.args, args, strict=True)]

        # Reading from a request.
        if (
            receiver.request is not None
            and method in self.k.containers
            or (method + "()") in self.k.containers
            and receiver.request is not None
        ):
            return Value(origin=f"{receiver.request}.{method}()")
        if receiver.origin is not None:
            if method in self.k.frameworks.request_getters:
                key = literal_string(node.args[0].value) if node.args else None
                if key is not None:
                    context = self._current_dict_context() + scope.words
                    return self._request_key(node, key, receiver.origin, context, scope)
                return Value(origin=receiver.origin)
            if (method + "()") in self.k.containers or method in self.k.propagator_methods:
                return Value(origin=receiver.origin)
        if qname is not None and qname in self.k.input_functions:
            category = self.k.input_functions[qname]
            prompt = literal_string(node.args[0].value) if node.args else None
            if prompt:
                for word in re.findall(r"[A-Za-z][A-Za-z _-]*[A-Za-z]", prompt):
                    label = self._label(word.strip(), (), user_input=True, is_key=True)
                    if label is not None:
                        category = label.category
                        break
            return Value(input_node=node, input_category=category)

        if method in self.k.frameworks.persist_methods and isinstance(func, cst.Attribute):
            scope.persists = True
        if qname in self.k.frameworks.server_session_calls:
            self.exports.server_sessions = True  # `Session(app)` from Flask-Session
        sink = self._match_sink(node, func, method, qname, scope)
        if sink is not None:
            emitted = len(self.points)
            self._sink(sink, node, method, args, scope)
            self._note_expiry(sink, node, method, emitted)
        self._runtime_write(node, func, method, receiver, args, scope)

        if qname and self._is_table(qname):
            self._table_columns(node, scope)

        loaded = self._loaded_model(node, func, method, scope)
        if loaded is not None:
            return Value(qname=loaded)  # a model instance, whatever the session's own value carries
        result_qname = self._result_qname(func, method, qname, receiver)

        protection = self._sanitizer(func, method, qname)
        if protection is not None:
            return protect(union(args + ([receiver] if isinstance(func, cst.Attribute) else [])), protection)
        if method in self.k.frameworks.unprotect_methods and (receiver.labels or any(a.labels for a in args)):
            # What was protected comes out in the clear: the sealed receiver's or argument's data, not
            # the key a cipher was made with (`AESCipher(password).decrypt(blob)` is the blob's).
            built_here = isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call)
            holders = args if built_here else [receiver, *args]
            sealed = [lb for v in holders for lb in v.labels if lb.protection != "none"]
            if not sealed:
                return Value(labels=union(args).labels)
            return Value(labels=frozenset(Label(lb.category, lb.identifier, "none", lb.why) for lb in sealed))
        short_q = qname or method
        if isinstance(func, cst.Attribute) and method in self.k.cleaning_methods:
            return CLEANED
        if short_q in self.k.cleaners:
            # `qs.all()` of an unknown receiver is no builtin `all()`: clean, but what it gives is unknown.
            return CLEANED if qname is not None or not isinstance(func, cst.Attribute) else CLEAN
        if isinstance(func, cst.Attribute) and receiver.cleaned and not any(a.labels or a.params for a in args):
            return CLEANED  # `tar.getmembers()` of an archive a cleaner opened: its members are files
        if short_q in self.k.frameworks.key_views and len(args) == 1:
            walked = self._walked_collection(node, args[0])
            if walked is not None:
                return walked
        if self._configuration(qname) or (
            isinstance(func, cst.Attribute) and method in self.k.frameworks.configuration_getters
        ):
            # `os.getenv("SMTP_USER")`, `settings.get("SITE_NAME")`: a setting, not a person's data. The
            # name stays: what a function of a `config` module returns may be a logger, not a setting.
            return Value(constant=True, qname=result_qname)

        local = self._local_function(func, scope)
        if local is not None:
            fn, parent, cls = local
            summary = self._function(fn, parent, cls)
            if cls is not None and isinstance(func, cst.Attribute) and parent.parent is self.module_scope:
                self._record_call(node, f"self.{fn.name.value}", method, args, scope)
            elif parent is self.module_scope:
                self._record_call(node, f"{self.module_name}.{fn.name.value}", method, args, scope)
            elif (nested := nested_key(parent, fn)) is not None:
                self._record_call(node, f"{self.module_name}.{nested}", method, args, scope)
            is_method = isinstance(func, cst.Attribute) and cls is not None
            self._take_gains(node, self.param_gains.get(id(fn), {}), is_method, scope)
            return self._apply_summary(summary, node, args, result_qname, is_method, fn)
        if (sink is None or method == "delay") and qname is not None and self._settled_elsewhere(qname, scope):
            self._record_call(node, qname, method, args, scope)

        if isinstance(func, cst.Attribute) and method in self.k.frameworks.mutators:
            dotted = dotted_name(func.value)
            if dotted is not None and "." not in dotted:
                scope.mutated.add(dotted)
                current = scope.lookup(dotted)
                if current is not None and not current.qname:
                    added = union(args)
                    if added.labels:
                        scope.vars[dotted] = Value(
                            labels=current.labels | added.labels,
                            fields=current.fields,
                            params=current.params | added.params,
                        )
                    elif current.constant and not (args and all(a.constant for a in args)):
                        # What is added is not known to be clean: the collection no longer is.
                        scope.vars[dotted] = replace(current, constant=False, params=current.params | added.params)
            return EMPTY

        if name_of(func) == "dict" and node.args and all(a.keyword is not None for a in node.args):
            # `dict(name=n, consent=c)`: each key carries its own value, as in the literal `{"name": n, ...}`.
            return self._keyword_dict(node, args, scope)
        named = self._named_attribute(node, short_q, args, scope)
        if named is not None:
            return named
        if short_q in self.k.propagator_functions or (qname and qname.rsplit(".", 1)[-1] in ("join", "format")):
            carried = receiver.labels or receiver.params or receiver.origin is not None or receiver.request is not None
            if args and all(a.constant and not a.labels for a in args) and not carried:
                return CLEAN  # made only of values known to be clean
            merged = union(args + [receiver])
            if merged.origin is not None or merged.labels or merged.params or merged.protected_params:
                return Value(
                    labels=merged.labels,
                    params=merged.params,
                    origin=merged.origin,
                    protected_params=merged.protected_params,
                    keyed_params=merged.keyed_params,
                )
        if method == "get" and isinstance(func, cst.Attribute) and receiver.fields is not None and node.args:
            key = literal_string(node.args[0].value)
            item = self._keyed_item(receiver, key, func.value, scope) if key is not None else None
            if item is not None:
                return union([item, *args[1:]])  # the default is what .get returns when the key is missing
        if method == "pop" and isinstance(func, cst.Attribute) and node.args and scope.fn_key is not None:
            key = literal_string(node.args[0].value)
            if key is not None and receiver.params:
                self.exports.popped(scope.fn_key, receiver, key)
        if method in ("get", "pop") and isinstance(func, cst.Attribute) and receiver.fields is None and node.args:
            key = literal_string(node.args[0].value)
            if key is not None and (receiver.params or receiver.labels) and receiver.origin is None:
                # `params.get("email")` as `params["email"]`: only the item under that key, and the
                # function's summary says which key of its parameter reaches a sink.
                return union([self._item_of(receiver, key, func.value, scope), *args[1:]])
        if (
            method == "get"
            and isinstance(func, cst.Attribute)
            and receiver.fields is None
            and receiver.labels
            and node.args
        ):
            # By a key held elsewhere too (`claims.get(settings.GROUPS_CLAIM)`), a token's item is a claim.
            kept = self._item_labels(receiver, literal_string(node.args[0].value), scope, any_key_is_a_claim=True)
            if kept != receiver.labels:
                return union([Value(labels=kept, params=receiver.params), *args[1:]])
        if isinstance(func, cst.Attribute) and receiver.input_node is not None and method in self.k.propagator_methods:
            return receiver
        if (
            isinstance(func, cst.Attribute)
            and method in self.k.propagator_methods
            and receiver.constant
            and not (receiver.labels or receiver.params)
            and all(a.constant and not a.labels for a in args)
        ):
            return CLEAN  # `os.environ.get("BLOCKED_IPS", "").split(",")`: a setting's parts are the setting's
        if (
            isinstance(func, cst.Attribute)
            and method in self.k.propagator_methods
            and (receiver.labels or receiver.params or receiver.origin or receiver.protected_params)
        ):
            merged = union([receiver] + args) if method in ("format", "join", "replace", "format_map") else receiver
            return Value(
                labels=merged.labels,
                params=merged.params,
                origin=merged.origin,
                fields=receiver.fields,
                protected_params=merged.protected_params,
                keyed_params=merged.keyed_params,
            )
        if isinstance(func, cst.Attribute) and method in ("format", "join"):
            merged = union(args)
            if merged.labels:
                return merged
        if self._renders_a_template(node):
            merged = union(args)  # the text holds what the template was given, and nothing its name says
            return Value(labels=merged.labels, params=merged.params, protected_params=merged.protected_params)
        if qname in ("dict",) or method == "dict":
            labels = self._keyword_labels(node, args, scope)
            if labels:
                return Value(labels=frozenset(labels))

        label = (
            self._label(method, self._context_of(func.value, scope) if isinstance(func, cst.Attribute) else scope.words)
            if method and not self.classifier.acts_on_its_data(method)
            else None
        )
        # `zip(sides, teams)` is Python's zip, not a postal code: a propagator's name says nothing.
        if label is not None and method not in self.k.propagator_methods and short_q not in self.k.propagator_functions:
            return Value(labels=frozenset({label}), qname=result_qname)
        return Value(qname=result_qname) if result_qname else EMPTY

    def _result_qname(self, func: cst.BaseExpression, method: str, qname: str | None, receiver: Value) -> str | None:
        if qname is None:
            return None
        if isinstance(func, cst.Attribute) and receiver.qname:
            for sink in self.k.sinks_by_method.get(method, ()):
                if method in sink.fluent:
                    return receiver.qname
            if method in ("bind", "opt", "new", "getChild", "pipeline", "patch", "contextualize"):
                return receiver.qname
        return qname + "()"

    @staticmethod
    def _take_gains(node: cst.Call, gains: dict[int, frozenset[Label]], is_method: bool, scope: Scope) -> None:
        """After `add_customer(payload, order)`, the caller's `payload` holds what the function put into it."""
        for index, labels in gains.items():
            position = index - 1 if is_method else index
            if not 0 <= position < len(node.args):
                continue
            arg = node.args[position]
            if arg.keyword is not None or arg.star or not isinstance(arg.value, cst.Name):
                continue
            name = arg.value.value
            current = scope.lookup(name) or EMPTY
            scope.vars[name] = replace(current, labels=current.labels | labels)
            scope.mutated.add(name)

    def _apply_summary(
        self,
        summary: Value,
        node: cst.Call,
        args: list[Value],
        result_qname: str | None,
        is_method: bool,
        fn: cst.FunctionDef | None = None,
    ) -> Value:
        labels = set(summary.labels)
        named = self.param_labels.get(id(fn), {}) if fn is not None else {}
        for index in summary.params:
            position = index - 1 if is_method else index
            if 0 <= position < len(args):
                given = args[position]
                stand_in = named.get(index)
                if stand_in is not None and (given.constant or given.labels):
                    # The callee's parameter name stands in for an argument nothing is known of; this one is
                    # known (`is_special(ip)` with a server's address), so its own labels count instead.
                    labels.discard(stand_in)
                labels |= given.labels
        for index, protection in summary.protected_params:
            position = index - 1 if is_method else index
            if 0 <= position < len(args):
                labels |= protect(args[position], protection).labels
        # What returns only constants and settings (`return hosts or settings.ALLOWED_HOSTS`) gives one.
        constant = summary.constant and not labels and not summary.params
        return Value(labels=frozenset(labels), qname=summary.qname or result_qname, constant=constant)

    def _local_function(
        self, func: cst.BaseExpression, scope: Scope
    ) -> tuple[cst.FunctionDef, Scope, ClassInfo | None] | None:
        if isinstance(func, cst.Name):
            bound = scope.lookup(func.value)
            if bound is not None and bound.qname:
                return None
            walk: Scope | None = scope
            while walk is not None:
                # The nearest enclosing definition wins: a nested `def send` never hides the module's.
                if func.value in walk.functions:
                    return walk.functions[func.value], walk, None
                walk = walk.parent
            return None
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls"):
            cls = scope.cls
            if cls is not None and func.attr.value in cls.methods:
                class_scope = scope
                while class_scope.parent is not None and class_scope.function:
                    class_scope = class_scope.parent
                return cls.methods[func.attr.value], class_scope, cls
        return None


def _parameter_gains(fn: cst.FunctionDef, scope: Scope) -> dict[int, frozenset[Label]]:
    """What the function leaves in the objects its positional parameters hold, beyond what their names say."""
    gains: dict[int, frozenset[Label]] = {}
    for index, param in enumerate((*fn.params.posonly_params, *fn.params.params)):
        name = param.name.value
        final = scope.vars.get(name)
        if name not in scope.mutated or name in scope.rebound or final is None:
            continue  # never changed in place, or rebound to another object
        own = scope.param_labels.get(index)
        added = frozenset(label for label in final.labels if label != own)
        if added:
            gains[index] = added
    return gains
