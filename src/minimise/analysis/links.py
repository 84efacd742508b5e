"""What the per-module pass hands to the project link: exported functions, unsettled calls, field writes."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.column_writes import USER_MODEL_VIA
from minimise.analysis.facts import ClassInfo, Label, Scope, Value, named_by_key, qname_root
from minimise.analysis.syntax import name_of, transient_constructions
from minimise.analysis.vocabulary import PERSON_MARK
from minimise.words import split_words


def nested_key(parent: Scope, fn: cst.FunctionDef) -> str | None:
    """The summary key of a function defined in an exported function (`Ticket:notify:deliver`), else None.

    Its calls from the enclosing function are linked like any other; the key has no dots, so it
    resolves as one name of its module.
    """
    if not parent.function or parent.fn_key is None:
        return None
    return f"{parent.fn_key.replace('.', ':')}:{fn.name.value}"


# A person's secrets, which a model may hash on the way in (a property's setter, a synonym).
_CREDENTIALS = "user.authorization"


class ProjectLinks(AnalyserBase):
    """Records what the project link needs: exported functions, unsettled calls, field writes."""

    def _field_write(self, target: cst.Attribute, dotted: str, value: Value, scope: Scope) -> None:
        """``user.email = value``: a write to a model field if the function then persists (save, commit)."""
        self._attribute_write(target, target.value, target.attr.value, dotted.rsplit(".", 1)[0], value, scope)

    def _attribute_write(
        self, at: cst.CSTNode, obj: cst.BaseExpression, attr: str, receiver: str, value: Value, scope: Scope
    ) -> None:
        """Field ``attr`` of ``obj`` set to ``value`` (reported at ``at``), kept until the function persists."""
        if value.constant or not scope.function:
            return
        label = self._label(attr, self._context_of(obj, scope), is_key=True)
        if receiver == "self" and scope.cls is not None:
            if not value.labels and not value.params:
                return  # a model resetting its own fields from nothing personal anonymises (`cancel()`)
            if scope.cls.store is not None and attr in scope.cls.constructor_only():
                return  # what the constructor keeps in memory (`self.plain_text_password`): no column
            if attr in scope.cls.personal_fields:
                label = scope.cls.personal_fields[attr][1]  # the model's own field says what it holds
            protection = scope.cls.protected_fields.get(attr)
            if label is not None and protection and label.protection == "none":
                # `self.password = new` goes through the model's hashing setter.
                label = Label(label.category, label.identifier, protection, label.why)
        if label is None:
            # A field whose name says nothing (`channel.value = email`) stores what the value is.
            carried = frozenset(lb for lb in value.labels if not lb.category.startswith("@"))
            if not carried and not value.params and not value.protected_params:
                return
            written = Value(
                labels=carried,
                params=value.params,
                protected_params=value.protected_params,
                keyed_params=value.keyed_params,
            )
            scope.pending_writes.append((at, receiver, self._qname(obj, scope), attr, written))
            return
        if value.labels and all(lb.protection != "none" for lb in value.labels):
            label = Label(label.category, label.identifier, sorted(lb.protection for lb in value.labels)[0], label.why)
        written = Value(
            labels=frozenset({label}),
            params=value.params,
            protected_params=value.protected_params,
            keyed_params=value.keyed_params,
        )
        scope.pending_writes.append((at, receiver, self._qname(obj, scope), attr, written))

    def _flush_writes(self, scope: Scope) -> None:
        model = scope.cls if scope.cls is not None and scope.cls.store is not None else None
        for target, receiver, qname, attr, value in scope.pending_writes:
            own = receiver == "self" and model is not None
            if not scope.persists and not (own and value.params):
                # Unsaved, unless a model's method copies its arguments onto its fields (`from_dict(data)`):
                # that method is how its callers write them.
                continue
            if receiver in self.k.frameworks.user_objects:
                for label in value.labels:
                    self._emit(target, "store", label, USER_MODEL_VIA, scope, "database")
            elif self._names_a_person(receiver):
                # `user.last_login_ip = ip; user.save()`: a person's record, of a model this function
                # does not name. Not its credentials: that model's setter may hash them (`password`).
                for label in value.labels:
                    # A hashed one is stored hashed whatever the setter does: evidence for its column too.
                    if not label.category.startswith(_CREDENTIALS) or label.protection != "none":
                        self._emit(target, "store", label, USER_MODEL_VIA, scope, "database")
            elif own and model is not None and model.store is not None:
                # A model's own method sets its field (``self.token = ...; db.session.add(self)``).
                for label in value.labels:
                    self._emit(target, "store", label, f"{model.store.id}.{model.name}", scope, "database")
            elif qname is not None and self._settled_elsewhere(qname + ".x", scope):
                cls = scope.cls.name if scope.cls is not None else None
                self.exports.call(target, qname, "__setattr__", scope.name, scope.fn_key, cls, [(attr, value, target)])

    def _names_a_person(self, receiver: str) -> bool:
        """A plain name that is one person word (``user``, ``customer``): the record of a person."""
        return receiver.isidentifier() and receiver in self.k.classifier.person

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
        elif (nested := nested_key(parent, fn)) is not None:
            self.exports.function(nested, fn, tuple(ordered), is_method=False)
            return nested
        else:
            return None
        static = any(name_of(d.decorator) == "staticmethod" for d in fn.decorators)
        self.exports.function(key, fn, tuple(ordered), is_method=cls is not None and not static)
        return key

    def _settled_elsewhere(self, qname: str, scope: Scope) -> bool:
        """Whether the callee may be defined elsewhere in the project: imported, bound at module level, or self's."""
        root = qname_root(qname)
        if root in ("self", "cls"):
            return scope.cls is not None
        if root in self.exports.class_bases or (root != qname and root in self.module_scope.functions):
            return True  # this module's own class or function, linked like the rest of the project
        return root in self.imported_roots or (root != qname and root in self.module_scope.vars)

    def _transient(self, node: cst.Call, callee: str, scope: Scope) -> bool:
        """Whether the call builds an instance its function only asks things of (see ``transient_constructions``)."""
        if scope.node is None or not callee.rsplit(".", 1)[-1][:1].isupper():
            return False  # only a class is constructed (`User(...)`): other calls need no walk
        known = self._transient_calls.get(id(scope.node))
        if known is None:
            known = self._transient_calls[id(scope.node)] = transient_constructions(scope.node)
        return id(node) in known

    def _record_call(self, node: cst.Call, callee: str, method: str, args: list[Value], scope: Scope) -> None:
        """Keep a call whose arguments carry personal data or parameters, for the project-wide link."""
        if self._to_own_service(node, (0, "url"), scope):
            return  # `api.post(f"{BACKEND_URL}/users", ...)` through the project's own client: no third party
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
            if ident == "headers" and value.fields is not None:
                value = self._shared_headers(
                    value
                )  # whatever the callee, its client and credential headers are not shared
            if (
                not value.labels
                and arg.keyword is not None
                and not value.constant
                and not self._names_a_things_own(arg.value, scope, arg.keyword.value)
            ):
                # The keyword names a field of the callee (`ApiClient(api_key=...)` is the client's key).
                owner = tuple(w for part in reversed(callee.split(".")) for w in split_words(part))
                found = self.classifier.classify_keyword(arg.keyword.value, owner)
                label = self._label_of(found, arg.keyword.value) if found is not None else None
                if label is not None:
                    value = Value(
                        labels=frozenset({named_by_key(label, value)}),
                        params=value.params,
                        keyed_params=value.keyed_params,
                    )
            if not value.labels and not value.constant:
                name = name_of(arg.value) or ""
                if set(split_words(name)) & self.classifier.person:
                    # Only a recipient argument of a message sink makes a person object personal data.
                    mark = Label(
                        PERSON_MARK, name, "none", f"'{name}' is a person given as the recipient: their address"
                    )
                    value = Value(labels=frozenset({mark}), params=value.params, keyed_params=value.keyed_params)
            carried.append((ident, value, arg.value))
        cls = scope.cls.name if scope.cls is not None else None
        self.exports.call(
            node,
            callee,
            method,
            scope.name,
            scope.fn_key,
            cls,
            carried,
            caught=scope.swallowing > 0,
            console=scope.console,
            transient=self._transient(node, callee, scope),
            settings=frozenset(ident for ident, value, arg in carried if self._a_setting_or_literal(value, arg)),
        )

    def _a_setting_or_literal(self, value: Value, node: cst.CSTNode) -> bool:
        """A literal or a named setting (`config.SHARED_SECRET`), not just a value known to carry no labels.

        What a cleaner returns is clean too, but `float(gps[0])` of a photo's coordinates is still where it was taken.
        """
        if not value.constant or value.labels or value.params:
            return False
        if value.literal is not None or self._configuration(value.qname):
            return True
        if isinstance(node, (cst.Integer, cst.Float, cst.SimpleString, cst.ConcatenatedString)):
            return True
        return isinstance(node, cst.Name) and node.value in ("None", "True", "False")
