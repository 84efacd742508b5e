"""Model and schema classes: which fields are stored or collected, and how they are protected."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.erasure_facts import RELATION_FIELDS
from minimise.analysis.facts import ClassInfo, Label, Scope, Value
from minimise.analysis.syntax import (
    annotation_text,
    calls_in,
    dotted_name,
    format_parts,
    literal_string,
    local_bindings,
    name_of,
    returned_values,
    self_assignments,
    short_slice,
)
from minimise.knowledge import SchemaKind
from minimise.words import split_words

_STOP_WORDS = frozenset({"of", "the", "a", "an", "for", "your", "our", "to", "in", "on", "or", "and", "this", "please"})


# Words of the names things carry as often as people (`name`, `display_name`): alone they do not make
# a model a person's record.
_THINGS_NAMES_TOO = frozenset({"name", "names", "display", "nickname", "nick"})


class ModelDetection(AnalyserBase):
    """Detects model and schema classes and the personal fields they declare."""

    def _class(self, node: cst.ClassDef, scope: Scope) -> None:
        info = ClassInfo(node.name.value, split_words(node.name.value), assigned=self._assigned_names(node))
        for base in node.bases:
            self._class_kind(info, base.value, scope)
        self._sqlmodel_kind(info, node)
        self._inherited_storage(info, node, scope)
        if scope is self.module_scope:
            # `Session(Generic[T])`, `LoginSession(Session[Account])`: a parameterised base is its class.
            self.exports.class_bases[info.name] = tuple(
                q
                for base in node.bases
                if (q := self._qname(base.value.value if isinstance(base.value, cst.Subscript) else base.value, scope))
                is not None
            )
            self.exports.declared_at(info.name, "", node.name)
        self.classes[info.name] = info
        class_scope = Scope(f"{scope.name}.{info.name}", scope, words=info.words + scope.words, cls=info)
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        for stmt in body:
            if isinstance(stmt, cst.FunctionDef):
                info.methods[stmt.name.value] = stmt
        info.protected_fields = self._field_protections(info, class_scope)
        for name in self._salted_passwords(body, info):
            info.protected_fields.setdefault(name, "hashed")
        login = self._keeps_a_login(body, info)
        if (
            not self.classifier.held_by_a_service(info.words)
            and (login or not self.classifier.names_a_place_or_thing(info.words))
            and not self._registers_a_business(info)
            and self._has_personal_field(body, info)
        ):
            # A model with an IP address and a device id is about a person: its latitude is theirs. A
            # Room's or an Event's telephone and address are its own: its coordinates are a place's. A
            # model a person signs in with (an email and a password) is theirs whatever it is called
            # (Aleph's `Role`): its thing's words say nothing of its fields.
            kept = tuple(w for w in info.words if not login or not self.classifier.names_a_thing((w,)))
            info.words = ("person",) + kept
            class_scope.words = info.words + scope.words
        elif (
            info.words
            and info.words[-1] in self.classifier.whereabouts
            and self.classifier.names_a_place_or_thing(info.words)
        ):
            # `MatchLocation.latitude` and an office `Location`'s are the place's own: the class's name gives its
            # fields no location context.
            info.words = info.words[:-1]
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
            if info.collect is not None:
                for base in node.bases:
                    if name_of(base.value) not in self.classes:
                        self._framework_fields(info, node, base.value, scope)
            return
        for base in node.bases:
            local = self.classes.get(name_of(base.value) or "")
            if local is None:
                self._framework_fields(info, node, base.value, scope)
            if local is None or local.store is not None:
                continue
            for field_node, label in local.personal_fields.values():
                self._emit(field_node, "store", label, f"{info.store.id}.{info.name}", scope, "database")

    def _framework_fields(self, info: ClassInfo, node: cst.ClassDef, base: cst.BaseExpression, scope: Scope) -> None:
        """The fields a framework's base declares: ``class User(AbstractUser)`` stores a username, names, an
        email and a password; ``class SignupForm(UserCreationForm)`` collects the password twice."""
        kind, action = (info.store, "store") if info.store is not None else (info.collect, "collect")
        if kind is None:
            return
        if isinstance(base, cst.Subscript):
            base = base.value  # `SQLAlchemyBaseUserTable[int]`: a generic base is its class
        for name, protection in kind.inherited_fields.get(self._qname(base, scope) or "", ()):
            found = self._label(name, ("person",) + info.words)
            if found is None or name in info.assigned:
                continue  # a field the class declares again is reported where it does
            label = Label(found.category, f"{info.name}.{name}", protection, f"declared by the base {name_of(base)}")
            where = "database" if action == "store" else "schema"
            self._emit(node.name, action, label, f"{kind.id}.{info.name}", scope, where)

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

    def _keeps_a_login(self, body: Any, info: ClassInfo) -> bool:
        """Whether a model declares both an email and a password field: an account a person signs in with."""
        kinds = set()
        for name, small in _declared_fields(body):
            if isinstance(small, cst.Assign) and isinstance(small.value, cst.Call):
                found = self._classify(name, ())
                if found is not None:
                    kinds.add(found.category)
        return "user.contact.email" in kinds and any(k.startswith("user.authorization.password") for k in kinds)

    def _has_personal_field(self, body: Any, info: ClassInfo) -> bool:
        for name, _small in _declared_fields(body):
            found = self._classify(name, info.words)
            # A key or token is issued to projects and integrations as well as to people.
            issued = found is not None and found.category in self.k.frameworks.issued_categories
            # A name alone is also a thing's (an applet's display name): not a person's record.
            named = found is not None and set(found.matched) <= _THINGS_NAMES_TOO
            if found is not None and not found.via_context and not issued and not named:
                return True
        return False

    def _salted_passwords(self, body: Sequence[cst.BaseStatement], info: ClassInfo) -> list[str]:
        """Password fields of a model that keeps a salt beside them (`password`, `salt`): they hold hashes."""
        names: list[str] = []
        for stmt in body:
            for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    names.append(small.target.value)
                elif isinstance(small, cst.Assign):
                    names += [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
        if not any(split_words(name)[-1:] == ("salt",) for name in names):
            return []
        return [
            name
            for name in names
            if (found := self._classify(name, info.words)) is not None
            and found.category == "user.authorization.password"
        ]

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
                protection = self._protection_of(value, method, info, scope, depth=0)
                if protection:
                    found.setdefault(target, protection)
        return found

    def _protection_of(  # noqa: C901 - one question asked of each kind of expression
        self,
        expr: cst.BaseExpression,
        method: cst.FunctionDef,
        info: ClassInfo,
        scope: Scope,
        depth: int,
        index: int = -1,
    ) -> str | None:
        """The protection every part of ``expr`` has, followed through the method's names and the class's methods.

        ``key_hash`` in ``key, key_hash = self._make_key()`` is protected when ``_make_key`` returns, in
        that place, an HMAC of the key beside a few of its characters. ``index`` picks a tuple's element.
        None: some part is not protected; "": nothing in it needs protecting (a separator, a short prefix).
        """
        if depth > 10:
            return None
        if literal_string(expr) is not None or short_slice(expr):
            return ""
        if isinstance(expr, cst.Tuple) and 0 <= index < len(expr.elements):
            return self._protection_of(expr.elements[index].value, method, info, scope, depth + 1)
        if isinstance(expr, cst.Call):
            func = expr.func
            found = self._sanitizer(func, name_of(func) or "", self._qname(func, scope))
            if found:
                return found
            if not isinstance(func, cst.Attribute):
                return None
            if isinstance(func.value, cst.Name) and func.value.value == "self" and func.attr.value in info.methods:
                callee = info.methods[func.attr.value]
                return _agreed(
                    [self._protection_of(r, callee, info, scope, depth + 1, index) for r in returned_values(callee)]
                )
            if not expr.args or func.attr.value in _SAME_VALUE_METHODS:
                # `digest.hex()`, `hashed.decode("utf-8")`: the same value in another form
                return self._protection_of(func.value, method, info, scope, depth + 1)
            return None
        if isinstance(expr, cst.Name):
            return _agreed(
                [
                    self._protection_of(v, method, info, scope, depth + 1, i)
                    for v, i in local_bindings(method, expr.value)
                ]
            )
        if isinstance(expr, (cst.BinaryOperation, cst.FormattedString)):
            parts = [expr.left, expr.right] if isinstance(expr, cst.BinaryOperation) else format_parts(expr)
            return _agreed([self._protection_of(part, method, info, scope, depth + 1) for part in parts], neutral=True)
        return None

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
        kind_id = self.k.frameworks.base_names.get(name)
        if kind_id:
            for kind in self.k.schemas:
                if kind.id == kind_id:
                    info.collect = kind
            for kind in self.k.model_kinds:
                if kind.id == kind_id:
                    info.store = kind
        elif name.endswith(("Model", "Schema")) and len(name) > 6 and qname and "." not in qname.lstrip("."):
            pass
        elif name.endswith("Serializer") and name != "Serializer":
            # A project's own DRF base (`ValidatedModelSerializer`, `NetBoxModelSerializer`): its subclasses'
            # fields are what an API takes.
            for kind in self.k.schemas:
                if kind.id == self.k.frameworks.base_names.get("Serializer"):
                    info.collect = kind
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
        if short in self.k.frameworks.skip_fields:
            return None
        if info.sqlmodel and short == "Field":
            return ("store", info.store, short) if info.store is not None else ("collect", info.collect, short)
        for kind in self.k.model_kinds:
            if kind.field_calls and qname and kind.field_calls.match(qname):
                return ("store", kind, short)
        for kind in self.k.schemas:
            if kind.field_calls and qname and kind.field_calls.match(qname):
                return ("collect", kind, short)
        frameworks = self.k.frameworks
        is_field = short.endswith(tuple(frameworks.field_suffixes)) or short in frameworks.field_constructors
        if not is_field:
            return None
        if info.store is not None:
            return ("store", info.store, short)
        if info.collect is not None:
            return ("collect", info.collect, short)
        receiver = name_of(call.func.value) if isinstance(call.func, cst.Attribute) else None
        if short == "Column" and receiver not in self.k.frameworks.store_receivers and self._foreign_column(qname):
            return None  # django_tables2.Column, dash_table.Column: a table on a page, not in a database
        if receiver in self.k.frameworks.store_receivers or short in ("Column", "mapped_column"):
            kind_id = self.k.frameworks.store_receivers.get(receiver or "", "sqlalchemy")
            return ("store", next((k for k in self.k.model_kinds if k.id == kind_id), None), short)
        if receiver in self.k.frameworks.collect_receivers:
            kind_id = self.k.frameworks.collect_receivers[receiver or ""]
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
        if name in self.k.frameworks.server_session_attributes and isinstance(value, cst.Call):
            self.exports.server_sessions = True  # `class App(Flask): session_interface = RedisSessions()`
        self._declared_fields.setdefault(info.name, set()).add(name)
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.Integer, cst.Float)):
            # `_visitor_name = "ExprExtractor"`: what `self._visitor_name` reads unless a method sets it.
            info.attrs.setdefault(f"self.{name}", Value(constant=True))
        if value is not None:
            self._record_link(info, name, value, target, scope)
        if annotation is not None:
            info.field_types[name] = annotation_text(annotation)
        action: str | None = None
        kind: SchemaKind | None = None
        constructor = ""
        call = value if isinstance(value, cst.Call) else None
        if call is not None and name_of(call.func) in self.k.frameworks.skip_fields:
            return  # a relation or a generated id, whatever its annotation (`Mapped["Address"]`) says
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
        if action == "collect" and info.name in self.output_models:
            action = None
        if action is None:
            if value is not None:
                scope.vars[name] = self._bind_name(name, self._ev(value, scope), scope)
            return
        label = self._label(name, info.words)
        category = self._type_category(call, annotation)
        if category is not None and (label is None or label.protection == "none"):
            # The declared type wins over a misleading name: `username = EmailField()` holds an email.
            label = Label(category, name, "none", f"declared with type {category}")
        if label is None and call is not None:
            label = self._described_field(call, name, info)
        if label is None:
            return
        if action == "store" and (self._own_credential(info, label) or self._organisations_account(info, label)):
            self.exports.owned_field(info.name, name)
            return
        protection = label.protection
        if call is not None and protection == "none":
            protection = self._field_protection(call)
        if protection == "none":
            protection = info.protected_fields.get(name, "none")
        via = f"{kind.id if kind else 'model'}.{constructor}" if constructor else (kind.id if kind else "model")
        info.personal_fields[name] = (target, Label(label.category, name, protection, label.why))
        self.exports.declared_at(info.name, name, target)
        self._emit(
            target,
            action,
            Label(label.category, name, protection, label.why),
            via,
            scope,
            "database" if action == "store" else "schema",
        )

    def _own_credential(self, info: ClassInfo, label: Label) -> bool:
        """A key or token column of a model about a thing with no person to it (a connector's API key).

        Such a key is issued to the object. A model about people (a user, a profile), one that links to a
        person (`user = ForeignKey(User)`: a device or token of theirs) or one named for credentials
        (`ApiKey`, `AccessToken`) keeps its columns.
        """
        issued = self.k.frameworks.issued_categories
        person = self.classifier.person
        if label.category not in issued or set(info.words) & person:
            return False
        if any(set(split_words(field)) & person for field in info.assigned):
            return False
        named = self._classify(info.name, ())
        return named is None or named.category not in issued

    def _organisations_account(self, info: ClassInfo, label: Label) -> bool:
        """A bank account on a model that registers a business (`Structure` with `siret` and `iban`): the business's."""
        return label.category.startswith("user.financial") and self._registers_a_business(info)

    def _registers_a_business(self, info: ClassInfo) -> bool:
        """Whether a model not named for a person declares a business's registration (`siret`, `vat_number`)."""
        if set(split_words(info.name)) & self.classifier.person:
            return False
        registered = self.classifier.business_identifiers
        return any(" ".join(split_words(field)) in registered for field in info.assigned)

    @staticmethod
    def _assigned_names(node: cst.ClassDef) -> tuple[str, ...]:
        """The names a class body assigns: its fields, relations included."""
        body = node.body.body if isinstance(node.body, cst.IndentedBlock) else ()
        names: list[str] = []
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign):
                        names += [t.target.value for t in small.targets if isinstance(t.target, cst.Name)]
                    elif isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                        names.append(small.target.value)
        return tuple(names)

    def _record_link(
        self, info: ClassInfo, name: str, value: cst.BaseExpression, target: cst.Name, scope: Scope
    ) -> None:
        """Foreign keys, one-to-one links, plain ``*_id`` columns and table names: what erasure follows."""
        if name in ("__tablename__", "db_table") and (table := literal_string(value)):
            self.exports.tables[info.name] = table
        if not isinstance(value, cst.Call) or info.store is None:
            return
        short = name_of(value.func) or ""
        keywords = {a.keyword.value: a.value for a in value.args if a.keyword is not None}
        positional = [a.value for a in value.args if a.keyword is None]
        if short in RELATION_FIELDS:
            to = keywords.get("to", keywords.get("model", positional[0] if positional else None))
            if to is None:
                return
            text = literal_string(to)
            linked = f"str:{text}" if text is not None else (self._qname(to, scope) or dotted_name(to) or "")
            rule = keywords.get("on_delete")
            on_delete = (literal_string(rule) or name_of(rule) or "").upper() if rule is not None else ""
            related = literal_string(keywords["related_name"]) if "related_name" in keywords else None
            self.exports.relation(info.name, name, linked, on_delete, related or "")
            self.exports.declared_at(info.name, name, target)
            return
        if short == "relationship" and positional:
            cascade = literal_string(keywords["cascade"]) if "cascade" in keywords else ""
            text = literal_string(positional[0])
            linked = f"str:{text}" if text is not None else (self._qname(positional[0], scope) or "")
            cascades = "CASCADE" if "delete" in (cascade or "") else ""
            self.exports.relation(info.name, name, f"rel:{linked}", cascades, "")
            return
        if "foreign_key" in keywords and (column := literal_string(keywords["foreign_key"])):
            ondelete = literal_string(keywords["ondelete"]) if "ondelete" in keywords else ""
            self.exports.relation(info.name, name, f"table:{column}", (ondelete or "").upper(), "")  # SQLModel
            self.exports.declared_at(info.name, name, target)
            return
        for arg in positional:
            if isinstance(arg, cst.Call) and name_of(arg.func) == "ForeignKey" and arg.args:
                column = literal_string(arg.args[0].value) or ""
                inner = {a.keyword.value: a.value for a in arg.args if a.keyword is not None}
                ondelete = literal_string(inner["ondelete"]) if "ondelete" in inner else ""
                self.exports.relation(info.name, name, f"table:{column}", (ondelete or "").upper(), "")
                self.exports.declared_at(info.name, name, target)
                return
        if name.endswith("_id") and short not in RELATION_FIELDS:
            self.exports.id_column(info.name, name)

    def _foreign_column(self, qname: str) -> bool:
        """A `Column` imported from a library that is not an ORM."""
        root = qname.split(".", 1)[0]
        return "." in qname and root in self.imported_roots and root not in self.k.frameworks.orm_roots

    def _described_field(self, call: cst.Call, name: str, info: ClassInfo) -> Label | None:
        """A field whose name says nothing but whose label does: ``line1 = CharField("First line of address")``."""
        texts = [literal_string(call.args[0].value)] if call.args and call.args[0].keyword is None else []
        texts += [
            literal_string(a.value)
            for a in call.args
            if a.keyword and a.keyword.value in self.k.frameworks.description_keywords
        ]
        for text in texts:
            if not text or len(text) > 80:
                continue
            words = [w for w in split_words(text) if w not in _STOP_WORDS]
            if self.classifier.thing_attribute(tuple(words), name):
                continue  # "Full name of the agency": a thing's name, described as such
            # The whole description, then its last word (the thing described: "First line of address").
            for candidate in ("_".join(words), words[-1] if len(words) > 1 else ""):
                found = self._label(candidate, info.words, shown=name) if candidate else None
                if found is not None:
                    return Label(found.category, name, found.protection, f"described as '{text}'; {found.why}")
        return None

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

    def _field_protection(self, call: cst.Call) -> str:
        """What a field's type says of its storage: ``EncryptedType``, ``Column(Vault)``, ``PasswordHash``."""
        names = [name_of(call.func) or ""]
        for arg in call.args:
            if isinstance(arg.value, (cst.Call, cst.Name, cst.Attribute)):
                names.append(name_of(arg.value) or "")
        tokenising = self.classifier.protection_words.get("tokenised", frozenset())
        for name in names:
            words = split_words(name)
            if "encrypted" in words or "encrypt" in words or "fernet" in words:
                return "encrypted"
            if "hashed" in words or "password" in words and "hash" in words:
                return "hashed"
            if any(w in tokenising for w in words):
                return "tokenised"  # a `Vault` column type keeps the secret out of the table
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
                # Kept with the declared fields: a ModelForm's save() writes them to its model.
                info.personal_fields.setdefault(name, (element.value, label))
                self._emit(element.value, "collect", label, f"{info.collect.id}.Meta.fields", scope, "schema")

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


# Methods whose result is their receiver in another form, whatever their arguments.
_SAME_VALUE_METHODS = frozenset({"decode", "encode", "strip", "rstrip", "lstrip"})


def _agreed(found: list[str | None], neutral: bool = False) -> str | None:
    """The one protection all of ``found`` share; with ``neutral``, parts needing none ("") are left aside."""
    if not found or any(f is None for f in found):
        return None
    kinds = {f for f in found if f or not neutral}
    if neutral and not kinds:
        return ""
    return kinds.pop() if len(kinds) == 1 else None


def _declared_fields(body: Any) -> Iterator[tuple[str, cst.BaseSmallStatement]]:
    """Each name a class body assigns or annotates (`email = Column(...)`, `email: str`), and its statement."""
    for stmt in body:
        for small in stmt.body if isinstance(stmt, cst.SimpleStatementLine) else ():
            target = (
                small.targets[0].target
                if isinstance(small, cst.Assign) and small.targets
                else (small.target if isinstance(small, cst.AnnAssign) else None)
            )
            if isinstance(target, cst.Name):
                yield target.value, small
