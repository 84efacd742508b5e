"""Request inputs: route parameters, the framework of a request, and submitted form fields."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.facts import CLEAN, Scope, Value, protect
from minimise.analysis.syntax import (
    dotted_name,
    name_of,
)
from minimise.words import split_words

# Methods whose first argument after `self` is the name of an attribute looked up or set.
_ATTRIBUTE_HOOKS = frozenset({"__getattr__", "__getattribute__", "__setattr__", "__delattr__"})


class RequestDetection(AnalyserBase):
    """Binds route parameters and reads request input and submitted form fields."""

    def _bind_params(self, fn: cst.FunctionDef, scope: Scope, route: bool) -> None:
        params = fn.params
        ordered = list(params.posonly_params) + list(params.params)
        star = [params.star_arg] if isinstance(params.star_arg, cst.Param) else []
        everything = ordered + star + list(params.kwonly_params) + ([params.star_kwarg] if params.star_kwarg else [])
        for index, param in enumerate(everything):
            name = param.name.value
            if name in ("self", "cls"):
                continue
            if index == 1 and fn.name.value in _ATTRIBUTE_HOOKS:
                scope.vars[name] = Value(constant=True)  # `__getattr__(self, name)`: an attribute's name
                continue
            if name in self.k.request_params:
                scope.vars[name] = Value(request=self._request_id(param, scope), params=frozenset({index}))
                continue
            via = self._route_param_via(param, scope)
            is_input = (route or via != "route.parameter") and not self._skip_route_param(param, scope)
            # An operator's command takes what the operator types (`job run <name>`): being typed makes
            # no parameter a person's, only the command's own words do (`create_user <name>`).
            label = self._label(name, scope.words, user_input=is_input and not scope.console)
            labels = frozenset({label}) if label else frozenset()
            qname = self._annotation_qname(param, scope)
            if qname is None and isinstance(param.default, (cst.Name, cst.Attribute)):
                root: cst.BaseExpression = param.default
                while isinstance(root, cst.Attribute):
                    root = root.value
                if isinstance(root, cst.Name) and scope.lookup(root.value) is not None:
                    qname = self._qname(param.default, scope)  # def f(log=log): the default's type
            submitted = qname[:-2] if qname and qname[:-2] in self.k.frameworks.input_classes else None
            if qname and qname[:-2] in self.k.frameworks.masked_types:
                # `token: SecretStr`: shown as '**********' in any text until `get_secret_value()` is asked for.
                masked = Value(labels=labels, params=frozenset({index}))
                scope.vars[name] = replace(protect(masked, "masked"), qname=qname)
            else:
                scope.vars[name] = Value(labels=labels, params=frozenset({index}), qname=qname, origin=submitted)
            if label is not None:
                scope.named_params = scope.named_params | {index}
                scope.param_labels[index] = label
            if is_input and label is not None:
                self._emit(param, "collect", label, via, scope, "request")
            elif is_input and qname is not None and qname.endswith("()") and self._settled_elsewhere(qname, scope):
                # A body typed with the project's own schema (`user_in: UserCreate`): its fields are collected
                # here; the project link reads them from the schema's summary.
                cls = scope.cls.name if scope.cls is not None else None
                body = Value(params=frozenset({index}))
                self.exports.call(param, qname[:-2], "__body__", scope.name, scope.fn_key, cls, [(name, body, param)])

    def _submitted_field(self, node: cst.Attribute, attr: str, source: str, scope: Scope) -> Value:
        """``form_data.username`` of a library's submitted form: the field the person typed, by its name."""
        label = self._label(attr, scope.words, user_input=True)
        if label is None:
            return CLEAN
        self._emit(node, "collect", label, source, scope, "request")
        return Value(labels=frozenset({label}))

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
        return self._instance_of(param.annotation, scope)

    def _instance_of(self, typed: cst.Annotation | None, scope: Scope) -> str | None:
        """The qualified name of an instance of the annotation's class (``X()``), for ``X``, ``X | None``,
        ``Optional[X]`` and ``Annotated[X, ...]``; None for builtins and anything else."""
        annotation = typed.annotation if typed else None
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

    def _is_form(self, receiver: cst.BaseExpression, scope: Scope) -> bool:
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            cls = scope.cls
        else:
            found = self._qname(receiver, scope) or ""
            cls = self.classes.get(found.removesuffix("()"))
            if cls is None:
                return "form" in split_words(name_of(receiver) or "")
        if cls is None:
            return False
        # A project's own form base (class ProfileForm(ProjectForm)) is a form by its name.
        return (cls.collect is not None and cls.collect.id in self.k.frameworks.form_kinds) or "form" in cls.words

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
        elif (
            isinstance(field, cst.Name)
            and (validated := _validated_field(field.value, scope, self._declared_fields))
            and self._is_form(cst.Name("self"), scope)
        ):
            name = validated  # `def validate_email(self, field)`: WTForms passes the email field as `field`
        elif isinstance(field, cst.Name) and self._is_form(field, scope):
            self._ev(field, scope)
            # form.data: the whole submission, read by key; a form's own `self.data` holds its personal fields.
            own = scope.cls.personal_fields if field.value == "self" and scope.cls is not None else {}
            return Value(origin="wtforms.form.data", labels=frozenset(label for _node, label in own.values()))
        else:
            return None
        label = self._label(name, scope.words, user_input=True)
        if label is None:
            return CLEAN
        self._emit(node, "collect", label, "wtforms.field.data", scope, "request")
        return Value(labels=frozenset({label}))


def _validated_field(param: str, scope: Scope, declared: dict[str, set[str]]) -> str | None:
    """The declared field a form's ``validate_<field>(self, field)`` method checks, read through its parameter."""
    if not scope.function or scope.cls is None or param == "self":
        return None
    method = scope.name.rsplit(".", 1)[-1]
    name = method.removeprefix("validate_")
    if name == method or name not in declared.get(scope.cls.name, ()):
        return None
    return name if scope.lookup(param) is not None and param not in declared.get(scope.cls.name, ()) else None
