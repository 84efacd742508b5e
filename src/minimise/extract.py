"""Extracting raw data points from one parsed module, in one hand-written pass with its own data flow."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst

from minimise.analysis.exports import ExportRecorder
from minimise.analysis.facts import CLEAN, EMPTY, STRICT, ClassInfo, Label, RawPoint, Scope, Value, protect, union
from minimise.analysis.sql import sql_columns
from minimise.analysis.syntax import (
    annotation_text,
    calls_in,
    carrier_parts,
    dotted_name,
    has_fstring,
    literal_string,
    name_of,
    self_assignments,
)
from minimise.classify import Classification
from minimise.knowledge import Knowledge, SchemaKind, Sink
from minimise.words import split_words

_FIELD_SKIP = frozenset(
    {
        "ForeignKey",
        "OneToOneField",
        "ManyToManyField",
        "relationship",
        "backref",
        "PrimaryKeyRelatedField",
        "HyperlinkedRelatedField",
        "SerializerMethodField",
        "AutoField",
        "BigAutoField",
        "UUIDField",
        "SlugRelatedField",
        "StringRelatedField",
        "association_proxy",
        "Pluck",
        "SubmitField",
        "HiddenField",
        "BooleanField",
        "NullBooleanField",
        "ReferenceField",
    }
)
_HEURISTIC_STORE_RECEIVERS = {
    "models": "django.db.models",
    "db": "sqlalchemy",
    "sa": "sqlalchemy",
    "sqlalchemy": "sqlalchemy",
    "orm": "sqlalchemy",
    "me": "mongoengine",
    "mongoengine": "mongoengine",
    "peewee": "peewee",
    "pw": "peewee",
}
_HEURISTIC_COLLECT_RECEIVERS = {
    "serializers": "rest_framework.serializers",
    "forms": "django.forms",
    "fields": "marshmallow",
    "ma": "marshmallow",
    "wtforms": "wtforms",
    "schema": "marshmallow",
}
_REQUEST_GETTERS = frozenset(
    {"get", "getlist", "pop", "get_all", "getone", "getall", "get_list", "getfirst", "getvalue"}
)
_MUTATORS = frozenset({"append", "extend", "update", "add", "insert", "setdefault", "appendleft"})
_COOKIE_SESSIONS = frozenset({"flask.session", "quart.session", "flask.globals.session"})
_KEY_VIEWS = frozenset({"sorted", "list", "set", "tuple", "frozenset", "iter", "enumerate"})
# Validated form and serializer input, read by key like a request's form.
_FORM_CONTAINERS = {
    "cleaned_data": "django.forms.cleaned_data",
    "validated_data": "rest_framework.validated_data",
}
_FORM_KINDS = frozenset({"wtforms", "django.forms"})
# Calls after which assigned fields are in the database (Django save, SQLAlchemy session add/commit).
_PERSIST_METHODS = frozenset({"save", "commit", "add", "add_all", "merge", "flush", "bulk_update", "save_model"})
# The signed-in user, a model instance in every framework that provides it.
_USER_OBJECTS = frozenset({"request.user", "current_user", "g.user", "self.request.user", "info.context.user"})
_UNPROTECT = frozenset({"get_secret_value", "decrypt", "decrypt_at_time", "reveal"})


class ModuleAnalyser:
    """Runs the data-flow pass over one module and collects raw data points."""

    def __init__(self, knowledge: Knowledge, module_name: str, path: str = "", is_package: bool = False) -> None:
        self.k = knowledge
        self.classifier = knowledge.classifier
        self.module_name = module_name
        self.points: list[RawPoint] = []
        self.module_scope = Scope(module_name, None)
        self.summaries: dict[int, Value] = {}
        self.in_progress: set[int] = set()
        self.classes: dict[str, ClassInfo] = {}
        self._memo: dict[int, Value] = {}
        self._emitted: set[tuple[int, str, str]] = set()
        self._deferred: list[tuple[cst.FunctionDef, Scope]] = []
        self.imported_roots: set[str] = set()
        self._declared_fields: dict[str, set[str]] = {}
        # Words of the keys of the dict literal being evaluated: siblings give context.
        self._dict_context: list[tuple[str, ...]] = []
        self.exports = ExportRecorder(module_name, path, is_package)

    # ------------------------------------------------------------------ driving
    def run(self, module: cst.Module) -> list[RawPoint]:
        self._prescan(module.body, self.module_scope)
        self._block(module.body, self.module_scope)
        while self._deferred:
            fn, parent = self._deferred.pop(0)
            self._function(fn, parent)
        return self.points

    def _prescan(self, body: Any, scope: Scope) -> None:
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                scope.functions[stmt.name.value] = stmt

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
                kind,
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
        if found is None:
            return None
        why = f"name '{name}' matched '{' '.join(found.matched)}'"
        if found.via_context:
            why += f" in a person context ({found.via_context})"
        return Label(found.category, shown or name, found.protection, why)

    # ---------------------------------------------------------------- statements
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
            self._ev(stmt.test, scope)
            self._suite(stmt.body, scope)
            orelse = stmt.orelse
            if isinstance(orelse, cst.If):
                self._statement(orelse, scope)
            elif orelse is not None:
                self._suite(orelse.body, scope)
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
            self._suite(stmt.body, scope)
            for handler in stmt.handlers:
                if handler.name is not None:
                    self._assign(handler.name.name, EMPTY, scope, None)
                self._suite(handler.body, scope)
            if stmt.orelse is not None:
                self._suite(stmt.orelse.body, scope)
            if stmt.finalbody is not None:
                self._suite(stmt.finalbody.body, scope)
        elif isinstance(stmt, cst.Match):
            self._ev(stmt.subject, scope)
            for case in stmt.cases:
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
                scope.vars[local] = Value(qname=f"{base}.{name}" if base else name)
        elif isinstance(small, cst.Assert):
            self._ev(small.test, scope)

    # ------------------------------------------------------------------ binding
    def _assign(self, target: cst.BaseExpression, value: Value, scope: Scope, value_node: cst.CSTNode | None) -> None:
        if isinstance(target, cst.Name):
            name = target.value
            scope.vars[name] = self._bind_name(name, value, scope)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            if isinstance(value_node, (cst.Tuple, cst.List)) and len(value_node.elements) == len(elements):
                for element, sub in zip(elements, value_node.elements, strict=False):
                    self._assign(element, self._ev(sub.value, scope), scope, sub.value)
            else:
                for element in elements:
                    self._assign(element, Value(labels=value.labels, params=value.params), scope, None)
        elif isinstance(target, cst.Attribute):
            dotted = dotted_name(target)
            if dotted is None:
                return
            if dotted.startswith("self.") and scope.cls is not None:
                scope.cls.attrs[dotted] = value
            else:
                scope.vars[dotted] = value
                self._field_write(target, dotted, value, scope)
        elif isinstance(target, cst.Subscript):
            self._assign_item(target, value, scope)
        elif isinstance(target, cst.StarredElement):
            self._assign(target.value, value, scope, None)

    def _field_write(self, target: cst.Attribute, dotted: str, value: Value, scope: Scope) -> None:
        """``user.email = value``: a write to a model field if the function then persists (save, commit)."""
        if value.constant or not scope.function:
            return
        attr = target.attr.value
        label = self._label(attr, self._context_of(target.value, scope), is_key=True)
        if label is None:
            return
        if value.labels and all(lb.protection != "none" for lb in value.labels):
            label = Label(label.category, label.identifier, sorted(lb.protection for lb in value.labels)[0], label.why)
        receiver = dotted.rsplit(".", 1)[0]
        written = Value(labels=frozenset({label}), params=value.params, protected_params=value.protected_params)
        scope.pending_writes.append((target, receiver, self._qname(target.value, scope), attr, written))

    def _flush_writes(self, scope: Scope) -> None:
        if not scope.persists:
            return
        for target, receiver, qname, attr, value in scope.pending_writes:
            if receiver in _USER_OBJECTS:
                for label in value.labels:
                    self._emit(target, "store", label, "user model", scope, "database")
            elif qname is not None and self._settled_elsewhere(qname + ".x", scope):
                cls = scope.cls.name if scope.cls is not None else None
                self.exports.call(target, qname, "__setattr__", scope.name, scope.fn_key, cls, [(attr, value, target)])

    def _bind_name(self, name: str, value: Value, scope: Scope) -> Value:
        if value.constant or value.owner_words:
            if value.owner_words and not value.labels and self._label(name, scope.words) is None:
                return value
            if value.constant:
                return value
        if value.input_node is not None:
            category = value.input_category
            label = self._label(name, scope.words, user_input=True)
            if label is not None:
                category = label.category
            if category is not None:
                why = "typed by the user" if value.input_via == "input" else "read from the request into this name"
                self._emit(
                    value.input_node,
                    "collect",
                    Label(category, name, "none", why),
                    value.input_via,
                    scope,
                    "input" if value.input_via == "input" else "request",
                )
                return Value(labels=frozenset({Label(category, name)}))
            return EMPTY
        if value.labels and all(lb.protection != "none" for lb in value.labels):
            return value
        label = self._label(name, scope.words)
        if label is None:
            return value
        if label.protection != "none":
            if value.labels:
                return protect(value, label.protection)
            return Value(labels=frozenset({label}))
        # The variable's own name is the most specific statement of what it holds.
        return Value(
            labels=frozenset({label}),
            qname=value.qname,
            origin=value.origin,
            request=value.request,
            fields=value.fields,
            params=value.params,
        )

    def _assign_item(self, target: cst.Subscript, value: Value, scope: Scope) -> None:
        key = self._subscript_key(target)
        container = target.value
        cookie_via = None
        if isinstance(container, cst.Attribute) and container.attr.value == "cookies":
            cookie_via = "cookie"
        elif self._qname(container, scope) in _COOKIE_SESSIONS:
            cookie_via = "flask.session"  # Flask's default session is a signed cookie: readable by its holder
        if cookie_via is not None and key is not None:
            label = self._label(key, (), is_key=True)
            labels = [lb for lb in value.labels] or ([label] if label and not value.constant else [])
            for lb in labels:
                self._emit(target, "store", lb, cookie_via, scope, "cookie")
            return
        while isinstance(container, cst.Subscript):
            key = self._subscript_key(container) if key is None else key
            container = container.value
        dotted = dotted_name(container)
        if dotted is None:
            return
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

    @staticmethod
    def _subscript_key(node: cst.Subscript) -> str | None:
        if len(node.slice) != 1:
            return None
        index = node.slice[0].slice
        if isinstance(index, cst.Index):
            return literal_string(index.value)
        return None

    # ---------------------------------------------------------------- functions
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
        scope = Scope(f"{parent.name}.{fn.name.value}", parent, words=words, cls=cls, function=True)
        scope.fn_key = self._export_key(fn, parent, cls)
        route = self._is_route(fn, parent)
        self._bind_params(fn, scope, route)
        self._prescan(fn.body.body if isinstance(fn.body, cst.IndentedBlock) else (), scope)
        self._suite(fn.body, scope)
        summary = union(scope.returns)
        if len(scope.returns) == 1:
            summary = scope.returns[0]
        if summary.qname is None and scope.returns:
            qnames = {r.qname for r in scope.returns if r.qname}
            if len(qnames) == 1:
                summary = Value(labels=summary.labels, qname=qnames.pop(), params=summary.params)
        self.summaries[key] = summary
        self.in_progress.discard(key)
        self._flush_writes(scope)
        if scope.fn_key is not None:
            self.exports.returns(scope.fn_key, summary)
        return summary

    def _export_key(self, fn: cst.FunctionDef, parent: Scope, cls: ClassInfo | None) -> str | None:
        """Module-level functions and methods of module-level classes are exported; nested ones are not."""
        params = fn.params
        ordered = [(p.name.value, "pos") for p in (*params.posonly_params, *params.params)]
        if isinstance(params.star_arg, cst.Param):
            ordered.append((params.star_arg.name.value, "star"))
        ordered += [(p.name.value, "kwonly") for p in params.kwonly_params]
        if params.star_kwarg is not None:
            ordered.append((params.star_kwarg.name.value, "kwargs"))
        if parent is self.module_scope:
            key = fn.name.value
        elif cls is not None and parent.cls is cls and not parent.function and parent.parent is self.module_scope:
            key = f"{cls.name}.{fn.name.value}"
        else:
            return None
        static = any(name_of(d.decorator) == "staticmethod" for d in fn.decorators)
        self.exports.function(key, fn, tuple(ordered), is_method=cls is not None and not static)
        return key

    def _bind_params(self, fn: cst.FunctionDef, scope: Scope, route: bool) -> None:
        params = fn.params
        ordered = list(params.posonly_params) + list(params.params)
        star = [params.star_arg] if isinstance(params.star_arg, cst.Param) else []
        everything = ordered + star + list(params.kwonly_params) + ([params.star_kwarg] if params.star_kwarg else [])
        for index, param in enumerate(everything):
            name = param.name.value
            if name in ("self", "cls"):
                continue
            if name in self.k.request_params:
                scope.vars[name] = Value(request=self._request_id(param, scope), params=frozenset({index}))
                continue
            via = self._route_param_via(param, scope)
            is_input = (route or via != "route.parameter") and not self._skip_route_param(param, scope)
            label = self._label(name, scope.words, user_input=is_input)
            labels = frozenset({label}) if label else frozenset()
            qname = self._annotation_qname(param, scope)
            if qname is None and isinstance(param.default, (cst.Name, cst.Attribute)):
                root: cst.BaseExpression = param.default
                while isinstance(root, cst.Attribute):
                    root = root.value
                if isinstance(root, cst.Name) and scope.lookup(root.value) is not None:
                    qname = self._qname(param.default, scope)  # def f(log=log): the default's type
            scope.vars[name] = Value(labels=labels, params=frozenset({index}), qname=qname)
            if label is not None:
                scope.named_params = scope.named_params | {index}
            if is_input and label is not None:
                self._emit(param, "collect", label, via, scope, "request")

    def _request_id(self, param: cst.Param, scope: Scope) -> str:
        """Name the framework of a ``request`` parameter from its annotation, else the module's imports."""
        annotation = self._annotation_qname(param, scope) or ""
        roots = {annotation.split(".")[0]} if annotation else self.imported_roots
        for root, framework in (
            ("fastapi", "starlette"),
            ("starlette", "starlette"),
            ("rest_framework", "django"),
            ("django", "django"),
            ("aiohttp", "aiohttp"),
            ("sanic", "sanic"),
        ):
            if root in roots:
                return f"{framework}.request"
        # A bare `request` parameter with no framework in sight is Django's calling convention.
        return self.k.request_ids.get("param:" + param.name.value, "request")

    def _skip_route_param(self, param: cst.Param, scope: Scope) -> bool:
        if param.name.value in self.k.route_skip_params:
            return True
        default = param.default
        if isinstance(default, cst.Call):
            qname = self._qname(default.func, scope) or ""
            if qname in self.k.route_skip_calls or qname.rsplit(".", 1)[-1] in ("Depends", "Security"):
                return True
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Subscript):
            text = dotted_name(annotation.value) or ""
            if text.endswith("Annotated"):
                for element in annotation.slice[1:]:
                    inner = element.slice.value if isinstance(element.slice, cst.Index) else None
                    if isinstance(inner, cst.Call) and (name_of(inner.func) or "") in ("Depends", "Security"):
                        return True
        return False

    def _route_param_via(self, param: cst.Param, scope: Scope) -> str:
        """'fastapi.Header' when the parameter is declared as request input, else 'route.parameter'."""
        calls: list[cst.BaseExpression] = []
        if isinstance(param.default, cst.Call):
            calls.append(param.default)
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Subscript) and (dotted_name(annotation.value) or "").endswith("Annotated"):
            for element in annotation.slice[1:]:
                if isinstance(element.slice, cst.Index):
                    calls.append(element.slice.value)
        for call in calls:
            if isinstance(call, cst.Call):
                qname = self._qname(call.func, scope) or ""
                if qname in self.k.route_parameter_calls:
                    return qname
        return "route.parameter"

    def _annotation_qname(self, param: cst.Param, scope: Scope) -> str | None:
        """A parameter typed ``session: aiohttp.ClientSession`` holds an instance of that class."""
        annotation = param.annotation.annotation if param.annotation else None
        if isinstance(annotation, cst.Subscript):
            text = dotted_name(annotation.value) or ""
            if text.endswith(("Optional", "Annotated")):
                inner = annotation.slice[0].slice
                annotation = inner.value if isinstance(inner, cst.Index) else None
        if isinstance(annotation, cst.BinaryOperation):  # X | None
            annotation = annotation.left
        if isinstance(annotation, (cst.Name, cst.Attribute)):
            qname = self._qname(annotation, scope)
            if qname and qname not in ("str", "int", "float", "bool", "bytes", "dict", "list"):
                return qname + "()"
        return None

    def _is_route(self, fn: cst.FunctionDef, scope: Scope) -> bool:
        for decorator in fn.decorators:
            expr = decorator.decorator
            if isinstance(expr, cst.Call):
                expr = expr.func
            if not isinstance(expr, cst.Attribute):
                if isinstance(expr, cst.Name) and expr.value in ("api_view",):
                    return True
                continue
            if expr.attr.value not in self.k.route_methods:
                continue
            qname = self._qname(expr.value, scope)
            if qname and self.k.route_receivers and self.k.route_receivers.match(qname):
                return True
            name = name_of(expr.value) or ""
            if set(split_words(name)) & self.k.route_receiver_words:
                return True
        return False

    # ------------------------------------------------------------------ classes
    def _class(self, node: cst.ClassDef, scope: Scope) -> None:
        info = ClassInfo(node.name.value, split_words(node.name.value))
        for base in node.bases:
            self._class_kind(info, base.value, scope)
        self._sqlmodel_kind(info, node)
        self._inherited_storage(info, node, scope)
        if scope is self.module_scope:
            self.exports.class_bases[info.name] = tuple(
                q for base in node.bases if (q := self._qname(base.value, scope)) is not None
            )
        self.classes[info.name] = info
        class_scope = Scope(f"{scope.name}.{info.name}", scope, words=info.words + scope.words, cls=info)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                info.methods[stmt.name.value] = stmt
        info.protected_fields = self._field_protections(info, class_scope)
        if self._has_personal_field(body, info):
            # A model with an IP address and a device id is about a person: its latitude is theirs.
            info.words = ("person",) + info.words
            class_scope.words = info.words + scope.words
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._class_field(small, info, class_scope)
            elif isinstance(stmt, cst.ClassDef) and stmt.name.value == "Meta":
                self._meta_fields(stmt, info, class_scope)
            elif isinstance(stmt, cst.FunctionDef):
                self._deferred.append((stmt, class_scope))
            elif isinstance(stmt, cst.ClassDef):
                self._class(stmt, class_scope)

    def _inherited_storage(self, info: ClassInfo, node: cst.ClassDef, scope: Scope) -> None:
        """A table class stores the personal fields its schema bases declare (``class User(UserBase, table=True)``)."""
        if info.store is None:
            return
        for base in node.bases:
            local = self.classes.get(name_of(base.value) or "")
            if local is None or local.store is not None:
                continue
            for field_node, label in local.personal_fields.values():
                self._emit(field_node, "store", label, f"{info.store.id}.{info.name}", scope, "database")

    def _sqlmodel_kind(self, info: ClassInfo, node: cst.ClassDef) -> None:
        """A SQLModel class is a table only with ``table=True``; otherwise it is a request or response schema."""
        sqlmodel = next((k for k in self.k.model_kinds if k.id == "sqlmodel"), None)
        derived = info.store is not None and info.store is sqlmodel
        for base in node.bases:
            local = self.classes.get(name_of(base.value) or "")
            derived = derived or (local is not None and local.sqlmodel)
        if not derived or sqlmodel is None:
            return
        info.sqlmodel = True
        table = any(
            kw.keyword is not None and kw.keyword.value == "table" and name_of(kw.value) == "True"
            for kw in node.keywords
        )
        if table:
            info.store = sqlmodel
        else:
            info.store = None
            info.collect = next((k for k in self.k.schemas if k.id == "pydantic"), info.collect)

    def _has_personal_field(self, body: Any, info: ClassInfo) -> bool:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    target = (
                        small.targets[0].target
                        if isinstance(small, cst.Assign) and small.targets
                        else (small.target if isinstance(small, cst.AnnAssign) else None)
                    )
                    if isinstance(target, cst.Name):
                        found = self._classify(target.value, ())
                        if found is not None and not found.via_context:
                            return True
        return False

    def _field_protections(self, info: ClassInfo, scope: Scope) -> dict[str, str]:
        """Fields hashed or encrypted by the model itself: validators, setters, ``self.f = hash(...)``."""
        found: dict[str, str] = {}
        for method in info.methods.values():
            fields: list[str] = []
            for decorator in method.decorators:
                expr = decorator.decorator
                if isinstance(expr, cst.Call) and name_of(expr.func) in ("validates", "validator", "field_validator"):
                    fields += [name for a in expr.args if (name := literal_string(a.value))]
                elif isinstance(expr, cst.Attribute) and expr.attr.value == "setter":
                    fields.append(name_of(expr.value) or "")
            if fields:
                for call in calls_in(method.body):
                    protection = self._sanitizer(call.func, name_of(call.func) or "", self._qname(call.func, scope))
                    if protection:
                        for name in fields:
                            found[name] = protection
                        break
            for target, value in self_assignments(method.body):
                if isinstance(value, cst.Call):
                    protection = self._sanitizer(value.func, name_of(value.func) or "", self._qname(value.func, scope))
                    if protection:
                        found.setdefault(target, protection)
        return found

    def _class_kind(self, info: ClassInfo, base: cst.BaseExpression, scope: Scope) -> None:
        qname = self._qname(base, scope)
        name = name_of(base) or ""
        local = self.classes.get(name)
        if local is not None:
            info.store = info.store or local.store
            info.collect = info.collect or local.collect
            return
        if qname:
            for kind in self.k.model_kinds:
                if kind.bases and kind.bases.match(qname):
                    info.store = kind
                    return
            for kind in self.k.schemas:
                if kind.not_bases and kind.not_bases.match(qname):
                    return
                if kind.bases and kind.bases.match(qname):
                    info.collect = kind
                    return
        # Bases imported from the project itself: judge by the base's name.
        by_name = {
            "BaseModel": "pydantic",
            "Schema": "marshmallow",
            "ModelSchema": "marshmallow",
            "SQLAlchemyAutoSchema": "marshmallow",
            "Serializer": "rest_framework.serializers",
            "ModelSerializer": "rest_framework.serializers",
            "Form": "django.forms",
            "ModelForm": "django.forms",
            "FlaskForm": "wtforms",
            "SQLModel": "sqlmodel",
            "Document": "mongoengine",
            "DynamicDocument": "mongoengine",
        }
        kind_id = by_name.get(name)
        if kind_id:
            for kind in self.k.schemas:
                if kind.id == kind_id:
                    info.collect = kind
            for kind in self.k.model_kinds:
                if kind.id == kind_id:
                    info.store = kind
        elif name.endswith(("Model", "Schema")) and len(name) > 6 and qname and "." not in qname.lstrip("."):
            pass
        elif name.endswith(("Model", "Schema", "DTO", "Payload")) and name not in ("Model", "TimeStampedModel"):
            # A project's own base (MealieModel, ApiSchema): annotated fields are an API schema.
            kind_id = "marshmallow" if name.endswith("Schema") else "pydantic"
            for kind in self.k.schemas:
                if kind.id == kind_id:
                    info.collect = kind
        elif name in ("Model", "Base", "DeclarativeBase", "AbstractUser", "AbstractBaseUser", "TimeStampedModel"):
            words = split_words(dotted_name(base) or name)
            kind_id = "django.db.models" if "models" in words or name.startswith("Abstract") else "sqlalchemy"
            for kind in self.k.model_kinds:
                if kind.id == kind_id:
                    info.store = kind

    def _field_kind(self, call: cst.Call, info: ClassInfo, scope: Scope) -> tuple[str, SchemaKind | None, str] | None:
        """Which action a class-level field call declares: ('store'|'collect', kind, constructor)."""
        qname = self._qname(call.func, scope) or ""
        short = name_of(call.func) or ""
        if short in _FIELD_SKIP:
            return None
        if info.sqlmodel and short == "Field":
            return ("store", info.store, short) if info.store is not None else ("collect", info.collect, short)
        for kind in self.k.model_kinds:
            if kind.field_calls and qname and kind.field_calls.match(qname):
                return ("store", kind, short)
        for kind in self.k.schemas:
            if kind.field_calls and qname and kind.field_calls.match(qname):
                return ("collect", kind, short)
        is_field = short.endswith(("Field", "Column", "Attribute")) or short in (
            "Column",
            "mapped_column",
            "Field",
            "column_property",
            "Str",
            "String",
            "Email",
            "Integer",
            "Date",
            "DateTime",
            "Raw",
            "Dict",
            "Url",
            "UUID",
            "Decimal",
            "Float",
            "Boolean",
            "Bool",
            "Int",
            "Number",
            "IP",
            "Nested",
            "List",
            "Method",
            "Function",
            "Tuple",
            "Time",
            "Enum",
        )
        if not is_field:
            return None
        if info.store is not None:
            return ("store", info.store, short)
        if info.collect is not None:
            return ("collect", info.collect, short)
        receiver = name_of(call.func.value) if isinstance(call.func, cst.Attribute) else None
        if receiver in _HEURISTIC_STORE_RECEIVERS or short in ("Column", "mapped_column"):
            kind_id = _HEURISTIC_STORE_RECEIVERS.get(receiver or "", "sqlalchemy")
            return ("store", next((k for k in self.k.model_kinds if k.id == kind_id), None), short)
        if receiver in _HEURISTIC_COLLECT_RECEIVERS:
            kind_id = _HEURISTIC_COLLECT_RECEIVERS[receiver or ""]
            return ("collect", next((k for k in self.k.schemas if k.id == kind_id), None), short)
        return None

    def _class_field(self, small: cst.BaseSmallStatement, info: ClassInfo, scope: Scope) -> None:
        target: cst.BaseExpression | None = None
        value: cst.BaseExpression | None = None
        annotation: cst.BaseExpression | None = None
        if isinstance(small, cst.Assign) and len(small.targets) == 1:
            target, value = small.targets[0].target, small.value
        elif isinstance(small, cst.AnnAssign):
            target, value, annotation = small.target, small.value, small.annotation.annotation
        if not isinstance(target, cst.Name):
            if value is not None:
                self._ev(value, scope)
            return
        name = target.value
        self._declared_fields.setdefault(info.name, set()).add(name)
        if annotation is not None:
            info.field_types[name] = annotation_text(annotation)
        action: str | None = None
        kind: SchemaKind | None = None
        constructor = ""
        call = value if isinstance(value, cst.Call) else None
        if call is not None:
            found = self._field_kind(call, info, scope)
            if (
                found is None
                and name_of(call.func) in ("encrypt",)
                and call.args
                and isinstance(call.args[0].value, cst.Call)
            ):
                found = self._field_kind(call.args[0].value, info, scope)
                if found is not None:
                    found = (found[0], found[1], "encrypt(" + found[2] + ")")
            if found is not None:
                action, kind, constructor = found
        if action is None and annotation is not None:
            ann_text = (
                dotted_name(annotation.value) if isinstance(annotation, cst.Subscript) else dotted_name(annotation)
            )
            if info.store is not None and info.store.annotated_fields and ann_text and ann_text.endswith("Mapped"):
                action, kind, constructor = "store", info.store, "Mapped"
            elif info.collect is not None and info.collect.annotated_fields:
                action, kind, constructor = "collect", info.collect, ann_text or ""
                if info.store is not None and info.store.id == "sqlmodel":
                    action = "store"
            elif info.store is not None and info.store.annotated_fields and info.store.id == "sqlmodel":
                action, kind, constructor = "store", info.store, ann_text or ""
        if action is None:
            if value is not None:
                scope.vars[name] = self._bind_name(name, self._ev(value, scope), scope)
            return
        label = self._label(name, info.words)
        if label is None:
            category = self._type_category(call, annotation)
            if category is not None:
                label = Label(category, name, "none", f"declared with type {category}")
        if label is None:
            return
        protection = label.protection
        if call is not None and protection == "none":
            protection = self._field_protection(call)
        if protection == "none":
            protection = info.protected_fields.get(name, "none")
        via = f"{kind.id if kind else 'model'}.{constructor}" if constructor else (kind.id if kind else "model")
        info.personal_fields[name] = (target, Label(label.category, name, protection, label.why))
        self._emit(
            target,
            action,
            Label(label.category, name, protection, label.why),
            via,
            scope,
            "database" if action == "store" else "schema",
        )

    def _type_category(self, call: cst.Call | None, annotation: cst.BaseExpression | None) -> str | None:
        names: list[str] = []
        if call is not None:
            names.append(name_of(call.func) or "")
            for arg in call.args:
                if isinstance(arg.value, (cst.Name, cst.Attribute, cst.Call)):
                    names.append(name_of(arg.value) or "")
        node = annotation
        while isinstance(node, cst.Subscript):
            inner = node.slice[0].slice
            node = inner.value if isinstance(inner, cst.Index) else None
        if node is not None:
            names.append(name_of(node) or "")
        for name in names:
            category = self.classifier.category_for_type(name)
            if category:
                return category
        return None

    @staticmethod
    def _field_protection(call: cst.Call) -> str:
        names = [name_of(call.func) or ""]
        for arg in call.args:
            if isinstance(arg.value, (cst.Call, cst.Name, cst.Attribute)):
                names.append(name_of(arg.value) or "")
        for name in names:
            words = split_words(name)
            if "encrypted" in words or "encrypt" in words or "fernet" in words:
                return "encrypted"
            if "hashed" in words or "password" in words and "hash" in words:
                return "hashed"
        return "none"

    def _meta_fields(self, meta: cst.ClassDef, info: ClassInfo, scope: Scope) -> None:
        if info.collect is None or not info.collect.meta_fields:
            return
        body = meta.body.body if isinstance(meta.body, cst.IndentedBlock) else ()
        model_words: tuple[str, ...] = ()
        fields_node: cst.BaseExpression | None = None
        for stmt in body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and isinstance(small.targets[0].target, cst.Name):
                    key = small.targets[0].target.value
                    if key == "model":
                        model_words = split_words(name_of(small.value) or "")
                    elif key == "fields":
                        fields_node = small.value
        if not isinstance(fields_node, (cst.List, cst.Tuple)):
            return
        declared = set(info.field_types) | set(self._declared_fields.get(info.name, ()))
        for element in fields_node.elements:
            name = literal_string(element.value)
            if name is None or name in declared:
                continue
            label = self._label(name, model_words + info.words, user_input=True, is_key=True)
            if label is not None:
                self._emit(element.value, "collect", label, f"{info.collect.id}.Meta.fields", scope, "schema")

    # -------------------------------------------------------------- expressions
    def _qname(self, node: cst.CSTNode, scope: Scope) -> str | None:
        if isinstance(node, cst.Name):
            found = scope.lookup(node.value)
            if found is not None:
                return found.qname
            return node.value
        if isinstance(node, cst.Attribute):
            dotted = dotted_name(node)
            if dotted is not None:
                bound = scope.lookup(dotted) if not dotted.startswith("self.") else self._self_attr(dotted, scope)
                if bound is not None and bound.qname:
                    return bound.qname
            base = self._qname(node.value, scope)
            return f"{base}.{node.attr.value}" if base else None
        if isinstance(node, cst.Call):
            value = self._memo.get(id(node))
            if value is not None:
                return value.qname
            base = self._qname(node.func, scope)
            return f"{base}()" if base else None
        if isinstance(node, cst.Subscript):
            base = self._qname(node.value, scope)
            return f"{base}[]" if base else None
        if isinstance(node, cst.Await):
            return self._qname(node.expression, scope)
        return None

    @staticmethod
    def _self_attr(dotted: str, scope: Scope) -> Value | None:
        if scope.cls is not None:
            return scope.cls.attrs.get(dotted)
        return None

    def _ev(self, node: cst.CSTNode, scope: Scope) -> Value:
        key = id(node)
        found = self._memo.get(key)
        if found is not None:
            return found
        value = self._evaluate(node, scope)
        self._memo[key] = value
        return value

    def _evaluate(self, node: Any, scope: Scope) -> Value:  # noqa: C901 - one dispatch on exact type
        # libcst node classes are final, so comparing types is exact and much cheaper than
        # isinstance against their abstract bases.
        t = type(node)
        if t is cst.Name:
            return self._name(node, scope)
        if t is cst.Attribute:
            return self._attribute(node, scope)
        if t is cst.Call:
            return self._call(node, scope)
        if t is cst.Subscript:
            return self._subscript(node, scope)
        if t is cst.ConcatenatedString and has_fstring(node):
            return union([self._ev(node.left, scope), self._ev(node.right, scope)])
        if t in (cst.SimpleString, cst.ConcatenatedString):
            try:
                return Value(literal=literal_string(node), constant=True, node=node)
            except Exception:  # noqa: BLE001 - odd escapes in a literal
                return Value(constant=True)
        if t in (cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis):
            return Value(constant=True)
        if t is cst.FormattedString:
            return union(
                [
                    self._ev(part.expression, scope)
                    for part in node.parts
                    if isinstance(part, cst.FormattedStringExpression)
                ]
            )
        if t is cst.BinaryOperation:
            return union([self._ev(node.left, scope), self._ev(node.right, scope)])
        if t is cst.BooleanOperation:
            return union([self._ev(node.left, scope), self._ev(node.right, scope)])
        if t is cst.Comparison:
            self._ev(node.left, scope)
            for target in node.comparisons:
                self._ev(target.comparator, scope)
            return CLEAN
        if t is cst.UnaryOperation:
            inner = self._ev(node.expression, scope)
            return CLEAN if isinstance(node.operator, cst.Not) else inner
        if t is cst.IfExp:
            self._ev(node.test, scope)
            return union([self._ev(node.body, scope), self._ev(node.orelse, scope)])
        if t is cst.Dict:
            return self._dict(node, scope)
        if t in (cst.List, cst.Tuple, cst.Set):
            return union([self._ev(e.value, scope) for e in node.elements])
        if t in (cst.ListComp, cst.SetComp, cst.GeneratorExp):
            self._comprehension(node.for_in, scope)
            return self._ev(node.elt, scope)
        if t is cst.DictComp:
            self._comprehension(node.for_in, scope)
            return union([self._ev(node.key, scope), self._ev(node.value, scope)])
        if t is cst.Await:
            return self._ev(node.expression, scope)
        if t is cst.NamedExpr:
            value = self._ev(node.value, scope)
            self._assign(node.target, value, scope, node.value)
            return value
        if t in (cst.StarredElement, cst.StarredDictElement):
            return self._ev(node.value, scope)
        if t in (cst.Yield,):
            if isinstance(node.value, cst.BaseExpression):
                value = self._ev(node.value, scope)
                scope.returns.append(value)
                return value
            return EMPTY
        if t is cst.Lambda:
            return self._ev(node.body, scope)
        return EMPTY

    def _bind_loop(self, target: cst.BaseExpression, iterable_node: cst.BaseExpression, scope: Scope) -> None:
        """A loop variable carries its collection's data, and its name gives context (``for c in customers``)."""
        iterable = self._ev(iterable_node, scope)
        owner = name_of(iterable_node)
        element = Value(
            labels=iterable.labels,
            params=iterable.params,
            origin=iterable.origin,
            owner_words=split_words(owner) if owner else (),
        )
        self._assign(target, element, scope, None)

    def _comprehension(self, for_in: cst.CompFor, scope: Scope) -> None:
        self._bind_loop(for_in.target, for_in.iter, scope)
        for condition in for_in.ifs:
            self._ev(condition.test, scope)
        if for_in.inner_for_in is not None:
            self._comprehension(for_in.inner_for_in, scope)

    def _name(self, node: cst.Name, scope: Scope) -> Value:
        bound = scope.lookup(node.value)
        if bound is not None:
            if (
                bound.qname
                and not bound.labels
                and self.k.request_objects
                and self.k.request_objects.match(bound.qname)
            ):
                return Value(qname=bound.qname, request=self.k.request_ids.get(bound.qname, "request"))
            return bound
        if node.value in ("True", "False", "None"):
            return Value(constant=True)
        label = self._label(node.value, scope.words)
        if label is not None:
            return Value(labels=frozenset({label}))
        return EMPTY

    def _attribute(self, node: cst.Attribute, scope: Scope) -> Value:
        dotted = dotted_name(node)
        if dotted is not None:
            bound = self._self_attr(dotted, scope) if dotted.startswith("self.") else scope.lookup(dotted)
            if bound is not None:
                return bound
            if dotted in self.k.request_attributes:
                return Value(request=self.k.request_ids.get("param:" + dotted, "request"))
        attr = node.attr.value
        if attr in _FORM_CONTAINERS:
            self._ev(node.value, scope)
            return Value(origin=_FORM_CONTAINERS[attr])
        if attr == "data":
            read = self._form_field_read(node, scope)
            if read is not None:
                return read
        if isinstance(node.value, cst.Attribute):
            inner_base = self._ev(node.value.value, scope)
            dotted_key = f"{node.value.attr.value}.{attr}"
            if inner_base.request is not None and dotted_key in self.k.request_values:
                label = Label(
                    self.k.request_values[dotted_key],
                    f"request.{dotted_key}",
                    "none",
                    f"request attribute '{dotted_key}'",
                )
                self._emit(node, "collect", label, f"{inner_base.request}.{dotted_key}", scope, "request")
                return Value(labels=frozenset({label}))
        base = self._ev(node.value, scope)
        if base.request is not None:
            if attr in self.k.containers:
                return Value(origin=f"{base.request}.{attr}")
            category = self.k.request_values.get(attr)
            if category is not None:
                label = Label(category, f"request.{attr}", "none", f"request attribute '{attr}'")
                self._emit(node, "collect", label, f"{base.request}.{attr}", scope, "request")
                return Value(labels=frozenset({label}))
            return EMPTY
        if base.origin is not None and attr in self.k.containers:
            return Value(origin=base.origin)
        qname = f"{base.qname}.{attr}" if base.qname else None
        context = self._context_of(node.value, scope) + scope.words
        owner = self.classes.get(base.qname[:-2]) if base.qname and base.qname.endswith("()") else None
        if owner is not None:
            context = context + owner.words
        found_label = self._label(attr, context, shown=attr)
        if found_label is not None:
            label = found_label
            if owner is not None and "Secret" in owner.field_types.get(attr, "") and label.protection == "none":
                label = Label(label.category, label.identifier, "masked", label.why + "; declared as a secret type")
            return Value(labels=frozenset({label}), qname=qname)
        if qname is not None:
            return Value(qname=qname)
        return EMPTY

    def _is_form(self, receiver: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            cls = scope.cls
        else:
            found = self._qname(receiver, scope) or ""
            cls = self.classes.get(found.removesuffix("()"))
            if cls is None:
                return "form" in split_words(name_of(receiver) or "")
        return cls is not None and cls.collect is not None and cls.collect.id in _FORM_KINDS

    def _form_field_read(self, node: cst.Attribute, scope: Scope) -> Value | None:
        """``form.email.data`` (and ``field.data`` in a form's ``validate_email``) reads what the user typed."""
        field = node.value
        if isinstance(field, cst.Attribute) and self._is_form(field.value, scope):
            name = field.attr.value
        elif (
            isinstance(field, cst.Name)
            and scope.function
            and scope.cls is not None
            and self._is_form(cst.Name("self"), scope)
            and field.value in self._declared_fields.get(scope.cls.name, ())
        ):
            name = field.value
        elif isinstance(field, cst.Name) and self._is_form(field, scope):
            self._ev(field, scope)
            return Value(origin="wtforms.form.data")  # form.data: the whole submission, read by key
        else:
            return None
        label = self._label(name, scope.words, user_input=True)
        if label is None:
            return CLEAN
        self._emit(node, "collect", label, "wtforms.field.data", scope, "request")
        return Value(labels=frozenset({label}))

    def _current_dict_context(self) -> tuple[str, ...]:
        return self._dict_context[-1] if self._dict_context else ()

    def _context_of(self, receiver: cst.CSTNode, scope: Scope) -> tuple[str, ...]:
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            return scope.cls.words if scope.cls else ()
        name = name_of(receiver)
        words = split_words(name) if name else ()
        if isinstance(receiver, cst.Name):
            bound = scope.lookup(receiver.value)
            if bound is not None and bound.owner_words:
                words = words + bound.owner_words
        return words

    def _subscript(self, node: cst.Subscript, scope: Scope) -> Value:
        base = self._ev(node.value, scope)
        key = self._subscript_key(node)
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                self._ev(element.slice.value, scope)
        if base.origin is not None:
            if key is None:
                return Value(origin=base.origin)
            label = self._label(key, self._current_dict_context() + scope.words, user_input=True, is_key=True)
            if label is not None:
                self._emit(node, "collect", label, base.origin, scope, "request")
                return Value(labels=frozenset({label}))
            return Value(origin=base.origin, input_node=node, input_via=base.origin)
        if base.fields is not None and key is not None and key in base.fields:
            return base.fields[key]
        if key is not None:
            label = self._label(key, self._context_of(node.value, scope), is_key=True)
            if label is not None:
                return Value(labels=frozenset({label}))
            if base.fields is not None:
                return EMPTY
        return Value(labels=base.labels, params=base.params, origin=base.origin)

    def _dict_words(self, node: cst.Dict) -> tuple[str, ...]:
        """Context from sibling keys: a record with an email or a street is about a person's address."""
        words: list[str] = []
        personal = False
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                key = (
                    literal_string(element.key)
                    if isinstance(element.key, (cst.SimpleString, cst.ConcatenatedString))
                    else None
                )
                if key:
                    words.extend(split_words(key))
                    if not personal and self._classify(key, (), is_key=True) is not None:
                        personal = True
        if personal:
            words.insert(0, "person")
        return tuple(words)

    def _dict(self, node: cst.Dict, scope: Scope) -> Value:
        fields: dict[str, Value] = {}
        parts: list[Value] = []
        context = self._dict_words(node)
        self._dict_context.append(context)
        try:
            return self._dict_entries(node, scope, fields, parts, context)
        finally:
            self._dict_context.pop()

    def _dict_entries(
        self, node: cst.Dict, scope: Scope, fields: dict[str, Value], parts: list[Value], context: tuple[str, ...]
    ) -> Value:
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                self._ev(element.key, scope)
                value = self._ev(element.value, scope)
                key = (
                    literal_string(element.key)
                    if isinstance(element.key, (cst.SimpleString, cst.ConcatenatedString))
                    else None
                )
                if key is not None and not value.constant and not value.labels:
                    label = self._label(key, scope.words + context, is_key=True)
                    if label is not None:
                        value = Value(labels=frozenset({label}), params=value.params)
                        self._memo[id(element.value)] = value
                if key is not None:
                    fields[key] = value
                parts.append(value)
            else:
                parts.append(self._ev(element.value, scope))
        merged = union(parts)
        return Value(labels=merged.labels, params=merged.params, fields=fields)

    # -------------------------------------------------------------------- calls
    def _call(self, node: cst.Call, scope: Scope) -> Value:
        func = node.func
        method = (
            func.attr.value if isinstance(func, cst.Attribute) else (func.value if isinstance(func, cst.Name) else "")
        )
        receiver = self._ev(func.value, scope) if isinstance(func, cst.Attribute) else EMPTY
        qname = self._qname(func, scope)
        callee = name_of(func)
        # Arguments of Patient(...) or create_user(...) are about a person: give keys read inside that context.
        constructor = callee is not None and callee[:1].isupper()
        self._dict_context.append(self._current_dict_context() + (split_words(callee) if constructor else ()))
        try:
            args = [self._ev(arg.value, scope) for arg in node.args]
        finally:
            self._dict_context.pop()

        # Reading from a request.
        if (
            receiver.request is not None
            and method in self.k.containers
            or (method + "()") in self.k.containers
            and receiver.request is not None
        ):
            return Value(origin=f"{receiver.request}.{method}()")
        if receiver.origin is not None:
            if method in _REQUEST_GETTERS:
                key = literal_string(node.args[0].value) if node.args else None
                if key is not None:
                    label = self._label(key, self._current_dict_context() + scope.words, user_input=True, is_key=True)
                    if label is not None:
                        self._emit(node, "collect", label, receiver.origin, scope, "request")
                        return Value(labels=frozenset({label}))
                    return Value(origin=receiver.origin, input_node=node, input_via=receiver.origin)
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

        if method in _PERSIST_METHODS and isinstance(func, cst.Attribute):
            scope.persists = True
        sink = self._match_sink(node, func, method, qname, scope)
        if sink is not None:
            self._sink(sink, node, method, args, scope)

        if qname and self._is_table(qname):
            self._table_columns(node, scope)

        result_qname = self._result_qname(func, method, qname, receiver)

        protection = self._sanitizer(func, method, qname)
        if protection is not None:
            return protect(union(args + ([receiver] if isinstance(func, cst.Attribute) else [])), protection)
        if method in _UNPROTECT and receiver.labels:
            return Value(labels=frozenset(Label(lb.category, lb.identifier, "none", lb.why) for lb in receiver.labels))
        short_q = qname or method
        if short_q in self.k.cleaners or (isinstance(func, cst.Attribute) and method in self.k.cleaning_methods):
            return CLEAN
        if short_q in _KEY_VIEWS and len(args) == 1 and args[0].fields is not None:
            return CLEAN

        local = self._local_function(func, scope)
        if local is not None:
            fn, parent, cls = local
            summary = self._function(fn, parent, cls)
            if cls is not None and isinstance(func, cst.Attribute) and parent.parent is self.module_scope:
                self._record_call(node, f"self.{fn.name.value}", method, args, scope)
            elif parent is self.module_scope:
                self._record_call(node, f"{self.module_name}.{fn.name.value}", method, args, scope)
            return self._apply_summary(
                summary, node, args, result_qname, isinstance(func, cst.Attribute) and cls is not None
            )
        if (sink is None or method == "delay") and qname is not None and self._settled_elsewhere(qname, scope):
            self._record_call(node, qname, method, args, scope)

        if isinstance(func, cst.Attribute) and method in _MUTATORS:
            dotted = dotted_name(func.value)
            if dotted is not None and "." not in dotted:
                current = scope.lookup(dotted)
                if current is not None and not current.qname:
                    added = union(args)
                    if added.labels:
                        scope.vars[dotted] = Value(
                            labels=current.labels | added.labels,
                            fields=current.fields,
                            params=current.params | added.params,
                        )
            return EMPTY

        if short_q in self.k.propagator_functions or (qname and qname.rsplit(".", 1)[-1] in ("join", "format")):
            merged = union(args + [receiver])
            if merged.origin is not None or merged.labels or merged.params or merged.protected_params:
                return Value(
                    labels=merged.labels,
                    params=merged.params,
                    origin=merged.origin,
                    protected_params=merged.protected_params,
                )
        if isinstance(func, cst.Attribute) and receiver.input_node is not None and method in self.k.propagator_methods:
            return receiver
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
            )
        if isinstance(func, cst.Attribute) and method in ("format", "join"):
            merged = union(args)
            if merged.labels:
                return merged
        if qname in ("dict",) or method == "dict":
            labels = self._keyword_labels(node, args, scope)
            if labels:
                return Value(labels=frozenset(labels))

        label = (
            self._label(method, self._context_of(func.value, scope) if isinstance(func, cst.Attribute) else scope.words)
            if method
            else None
        )
        if label is not None and method not in self.k.propagator_methods:
            return Value(labels=frozenset({label}), qname=result_qname)
        return Value(qname=result_qname) if result_qname else EMPTY

    def _settled_elsewhere(self, qname: str, scope: Scope) -> bool:
        """Whether the callee may be defined elsewhere in the project: imported, bound at module level, or self's."""
        root = qname.split(".", 1)[0].removesuffix("()")
        if root in ("self", "cls"):
            return scope.cls is not None
        if root in self.exports.class_bases or (root != qname and root in self.module_scope.functions):
            return True  # this module's own class or function, linked like the rest of the project
        return root in self.imported_roots or (root != qname and root in self.module_scope.vars)

    def _record_call(self, node: cst.Call, callee: str, method: str, args: list[Value], scope: Scope) -> None:
        """Keep a call whose arguments carry personal data or parameters, for the project-wide link."""
        carried: list[tuple[int | str, Value, cst.CSTNode]] = []
        positional = 0
        for arg, value in zip(node.args, args, strict=False):
            ident: int | str
            if arg.keyword is not None:
                ident = arg.keyword.value
            elif arg.star:
                ident = "*"
            else:
                ident = positional
                positional += 1
            if not value.labels and arg.keyword is not None and not value.constant:
                label = self._label(arg.keyword.value, (), is_key=True)
                if label is not None:
                    value = Value(labels=frozenset({label}), params=value.params)
            if value.params & scope.named_params:
                # A parameter named like personal data is reported where this call uses it.
                value = Value(
                    labels=value.labels,
                    params=value.params - scope.named_params,
                    protected_params=value.protected_params,
                )
            carried.append((ident, value, arg.value))
        cls = scope.cls.name if scope.cls is not None else None
        self.exports.call(node, callee, method, scope.name, scope.fn_key, cls, carried)

    def _keyword_labels(self, node: cst.Call, args: list[Value], scope: Scope) -> set[Label]:
        labels: set[Label] = set()
        for arg, value in zip(node.args, args, strict=False):
            labels |= value.labels
            if arg.keyword is not None and not value.constant and not value.labels:
                label = self._label(arg.keyword.value, scope.words, is_key=True)
                if label is not None:
                    labels.add(label)
        return labels

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

    def _apply_summary(
        self, summary: Value, node: cst.Call, args: list[Value], result_qname: str | None, is_method: bool
    ) -> Value:
        labels = set(summary.labels)
        for index in summary.params:
            position = index - 1 if is_method else index
            if 0 <= position < len(args):
                labels |= args[position].labels
        for index, protection in summary.protected_params:
            position = index - 1 if is_method else index
            if 0 <= position < len(args):
                labels |= protect(args[position], protection).labels
        return Value(labels=frozenset(labels), qname=summary.qname or result_qname)

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

    def _sanitizer(self, func: cst.BaseExpression, method: str, qname: str | None) -> str | None:
        words = split_words(method) if method else ()
        for sanitizer in self.k.sanitizers:
            if qname and sanitizer.functions and sanitizer.functions.match(qname):
                return sanitizer.protection
            if method and method in sanitizer.method_names:
                return sanitizer.protection
            if words and any(w in sanitizer.name_words for w in words):
                return sanitizer.protection
        return None

    def _is_table(self, qname: str) -> bool:
        return qname.rsplit(".", 1)[-1] == "Table" and "sqlalchemy" in qname or qname == "Table"

    def _table_columns(self, node: cst.Call, scope: Scope) -> None:
        table = literal_string(node.args[0].value) if node.args else None
        context = split_words(table) if table else ()
        for arg in node.args[1:]:
            column = arg.value
            if isinstance(column, cst.Call) and name_of(column.func) == "Column" and column.args:
                name = literal_string(column.args[0].value)
                if name:
                    label = self._label(name, context, is_key=True)
                    if label is not None:
                        protection = self._field_protection(column)
                        self._emit(
                            column.args[0].value,
                            "store",
                            Label(
                                label.category,
                                name,
                                protection if protection != "none" else label.protection,
                                label.why,
                            ),
                            "sqlalchemy.Table",
                            scope,
                            "database",
                        )

    # -------------------------------------------------------------------- sinks
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
                return sink
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

    def _is_import_rooted(self, func: cst.BaseExpression, scope: Scope) -> bool:
        """Whether the callee resolves through an import, so name heuristics must not second-guess it."""
        qname = self._qname(func, scope)
        return qname is not None and qname.split(".")[0].rstrip("()") in self.imported_roots

    def _sink(self, sink: Sink, node: cst.Call, method: str, args: list[Value], scope: Scope) -> None:
        if sink.sql:
            self._sql(sink, node, args, scope)
            return
        url_positions = sink.url_for_method.get(method, sink.url_args)
        key_label: Label | None = None
        if sink.key_value is not None:
            key_index, value_index = sink.key_value
            key_arg = self._positional(node, key_index)
            key = literal_string(key_arg.value) if key_arg is not None else None
            if key is not None:
                key_label = self._label(key, (), is_key=True)
        positional = 0
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
            kind = sink.kind
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
            if not labels and arg.keyword is not None and not value.constant and sink.action != "store":
                label = self._label(arg.keyword.value, (), is_key=True)
                if label is not None:
                    labels.add(label)
            if scope.fn_key is not None:
                self.exports.param_sink(scope.fn_key, value, scope.named_params, sink.action, sink.id, kind, arg.value)
            self._emit_value(arg.value, labels, value, sink.action, sink.id, kind, scope)

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
                    sub = self._ev(element.value, scope)
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
                        sub_labels.add(label)
                self._emit_value(arg.value, sub_labels, sub, action, via, kind, scope)
            return
        parts = carrier_parts(expr)
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
        value = self._ev(exc, scope)
        if not isinstance(exc, cst.Call):
            return
        del value
        for arg in exc.args:
            arg_value = self._ev(arg.value, scope)
            if scope.fn_key is not None and arg.keyword is None:
                self.exports.param_sink(
                    scope.fn_key, arg_value, scope.named_params, "log", "exception", "exception", arg.value
                )
            self._emit_value(arg.value, set(arg_value.labels), arg_value, "log", "exception", "exception", scope)

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
