"""Runtime writes the per-module pass sees at a call: setattr, SQL builder values, session updates, schema uses."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.expiry import cache_expiry
from minimise.analysis.facts import Label, Scope, Value
from minimise.analysis.syntax import dotted_name, literal_string, name_of
from minimise.analysis.vocabulary import SCHEMA_MARK
from minimise.knowledge import Sink
from minimise.words import split_words


class RuntimeWrites(AnalyserBase):
    """Recognises writes whose field names sit in a call rather than in an assignment target."""

    def _runtime_write(
        self, node: cst.Call, func: cst.BaseExpression, method: str, receiver: Value, args: list[Value], scope: Scope
    ) -> None:
        if isinstance(func, cst.Name):
            if method == "setattr" and scope.lookup("setattr") is None:
                self._setattr(node, args, scope)
            elif set(split_words(method)) & self.k.frameworks.persist_words:
                scope.persists = True  # the project's own wrapper around commit (`try_commit(db.session)`)
            return
        if not isinstance(func, cst.Attribute):
            return
        if method in self.k.frameworks.core_write_methods:
            model = self._statement_model(func.value, scope)
            if model is not None and node.args and node.args[0].keyword is None:
                self._write_rows(node, model, node.args[0].value, scope)  # `.values({"email": e})` or a list
            elif model is not None:
                self._record_call(node, model, method, args, scope)
        elif method in ("execute", "executemany") and len(node.args) >= 2:
            statement = node.args[0].value
            model = self._statement_model(statement, scope) if isinstance(statement, cst.Call) else None
            if model is not None:
                self._write_rows(node, model, node.args[1].value, scope)
        elif method == "update":
            self._session_update(node, func.value, scope)
        if method in self.k.frameworks.schema_uses:
            self._schema_use(node, method, receiver, scope)

    # ---------------------------------------------------------------- setattr
    def _setattr(self, node: cst.Call, args: list[Value], scope: Scope) -> None:
        """``setattr(user, "email", value)``; in a loop over a literal list of names, each name is a field."""
        if len(node.args) != 3 or any(a.keyword is not None or a.star for a in node.args):
            return
        obj, name_node, value_node = (a.value for a in node.args)
        dotted = dotted_name(obj)
        if dotted is None:
            return
        literal = literal_string(name_node)
        names: tuple[str, ...] = ()
        if literal is not None:
            names = (literal,)
        elif isinstance(name_node, cst.Name):
            bound = scope.lookup(name_node.value)
            if bound is not None and bound.constant and bound.fields:
                names = tuple(bound.fields)
        for name in names:
            self._attribute_write(value_node, obj, name, dotted, args[2], scope)

    # ---------------------------------------------------------------- SQL statement builders
    def _statement_model(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """The model of ``insert(User)`` / ``update(User).where(...)``, under any chain of builder calls."""
        while isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
            if name_of(node.func) in self.k.frameworks.core_statements:
                break  # `sa.insert(User)`: the statement itself, called through its module
            node = node.func.value
        if (
            not isinstance(node, cst.Call)
            or name_of(node.func) not in self.k.frameworks.core_statements
            or not node.args
        ):
            return None
        qname = self._qname(node.func, scope) or ""
        roots = {"sqlalchemy", "sqlmodel", "flask_sqlalchemy"}
        if qname.split(".", 1)[0] not in roots and not _is_orm_receiver(node.func):
            return None
        model = self._qname(node.args[0].value, scope)
        if model is None or not self._settled_elsewhere(model, scope):
            return None
        return model

    def _write_rows(self, node: cst.Call, model: str, rows: cst.BaseExpression, scope: Scope) -> None:
        """``session.execute(insert(User), [{"email": e}, ...])``: each row's keys are the model's fields."""
        dicts = [e.value for e in rows.elements] if isinstance(rows, (cst.List, cst.Tuple)) else [rows]
        carried: list[tuple[int | str, Value, cst.CSTNode]] = []
        for row in dicts:
            if not isinstance(row, cst.Dict):
                continue
            for element in row.elements:
                if not isinstance(element, cst.DictElement):
                    continue
                key = literal_string(element.key)
                if key is None:
                    continue
                value = self._ev(element.value, scope)
                if not value.labels and not value.constant:
                    label = self._label(key, (), is_key=True)
                    if label is not None:
                        value = Value(labels=frozenset({label}), params=value.params)
                carried.append((key, value, element.value))
        cls = scope.cls.name if scope.cls is not None else None
        self.exports.call(node, model, "values", scope.name, scope.fn_key, cls, carried)

    def _loaded_model(self, node: cst.Call, func: cst.BaseExpression, method: str, scope: Scope) -> str | None:
        """``session.get(User, pk)`` or ``session.execute(select(User)...).scalar_one()``: an instance of User."""
        if not isinstance(func, cst.Attribute):
            return None
        if method in self.k.frameworks.instance_getters and len(node.args) >= 2 and node.args[0].keyword is None:
            holder = name_of(func.value) or ""
            if holder != "db" and "session" not in split_words(holder):
                return None  # `mapping.get(Key, default)` is a lookup, not a load
            return self._model_class(node.args[0].value, scope)
        if method not in self.k.frameworks.select_results and method != "get_one":
            return None
        # `session.execute(select(User).where(...)).scalar_one()`: the select is in the chain or its argument.
        for call in _chain(func.value):
            for candidate in (call, call.args[0].value if call.args else None):
                for inner in _chain(candidate):
                    if name_of(inner.func) == "select" and inner.args:
                        return self._model_class(inner.args[0].value, scope)
        return None

    def _model_class(self, node: cst.BaseExpression, scope: Scope) -> str | None:
        """The qualified name of a class argument the project may define (``User``, ``models.User``)."""
        name = name_of(node)
        if not isinstance(node, (cst.Name, cst.Attribute)) or not name or not name[:1].isupper() or name.isupper():
            return None  # a class is CamelCase; SECRET_KEY is a constant
        qname = self._qname(node, scope)
        return f"{qname}()" if qname and self._settled_elsewhere(qname, scope) else None

    # ---------------------------------------------------------------- sessions
    def _session_update(self, node: cst.Call, container: cst.BaseExpression, scope: Scope) -> None:
        """``request.session.update({...})`` (server store) and Flask ``session.update(email=...)`` (cookie)."""
        if self._qname(container, scope) in self.k.frameworks.cookie_sessions:
            via, kind = "flask.session", "cookie"
        elif self._is_server_session(container, scope):
            via, kind = "django.session", "session"
        else:
            return
        entries: list[tuple[str | None, cst.BaseExpression]] = []
        for arg in node.args:
            if arg.keyword is not None:
                entries.append((arg.keyword.value, arg.value))
            elif isinstance(arg.value, cst.Dict):
                entries += [
                    (literal_string(e.key), e.value) for e in arg.value.elements if isinstance(e, cst.DictElement)
                ]
        for key, value_node in entries:
            value = self._ev(value_node, scope)
            labels = list(value.labels)
            if not labels and not value.constant and key is not None:
                label = self._label(key, (), is_key=True)
                labels = [label] if label is not None else []
            for label in labels:
                self._emit(value_node, "store", label, via, scope, kind)

    # ---------------------------------------------------------------- schemas used at runtime
    def _schema_use(self, node: cst.Call, method: str, receiver: Value, scope: Scope) -> None:
        """``form.populate_obj(user)``, ``form.save()``, ``Schema().load(data)``: the project link knows the fields."""
        qname = receiver.qname
        if not qname or not qname.rsplit(".", 1)[-1][:1].isupper() or not self._settled_elsewhere(qname, scope):
            return  # only a class or an instance of one (`json.load(fh)` is neither)
        if method == "save" and "form" not in split_words(qname.rsplit(".", 1)[-1]):
            return  # every model saves; only a form's save writes the form's fields
        cls = scope.cls.name if scope.cls is not None else None
        mark = Value(labels=frozenset({Label(SCHEMA_MARK, method, "none", "")}))
        self.exports.call(node, qname, f"__{method}__", scope.name, scope.fn_key, cls, [(0, mark, node)])

    # ---------------------------------------------------------------- cache time to live
    def _note_expiry(self, sink: Sink, node: cst.Call, method: str, first: int) -> None:
        """Give the points a cache write just emitted the time to live the write sets."""
        if sink.kind != "cache" or first == len(self.points):
            return
        expires = cache_expiry(node, method, self.k.frameworks.ttl_keywords)
        if expires:
            self.points[first:] = [replace(p, expires=expires) for p in self.points[first:]]


def _chain(node: cst.BaseExpression | None) -> list[cst.Call]:
    """The calls of a fluent chain, outermost first: ``a.b(x).c(y)`` gives ``c(y)`` then ``b(x)``."""
    found: list[cst.Call] = []
    while isinstance(node, cst.Call) and len(found) < 8:
        found.append(node)
        node = node.func.value if isinstance(node.func, cst.Attribute) else None
    return found


def _is_orm_receiver(func: cst.BaseExpression) -> bool:
    """``db.insert(User)`` on a Flask-SQLAlchemy handle, or a bare ``insert`` (imported from SQLAlchemy)."""
    if isinstance(func, cst.Attribute):
        return name_of(func.value) in ("db", "sa", "sqlalchemy")
    return False
