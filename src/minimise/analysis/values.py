"""What an expression evaluates to: names, attributes, subscripts, literals and containers."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import libcst as cst

from minimise.analysis.dict_values import DictEvaluation
from minimise.analysis.facts import (
    CLEAN,
    CLEANED,
    EMPTY,
    ITERATED,
    ClassInfo,
    Label,
    Scope,
    Value,
    is_registry,
    protect,
    union,
)
from minimise.analysis.summary import ATTRIBUTE_PARAM
from minimise.analysis.syntax import (
    dotted_name,
    has_fstring,
    literal_string,
    mail_domain_index,
    name_of,
    short_slice,
)
from minimise.words import is_class_name, is_constant_name, split_words


class ValueEvaluation(DictEvaluation):
    """Evaluates expressions to what they carry."""

    def _qname(self, node: cst.CSTNode, scope: Scope) -> str | None:
        if isinstance(node, cst.Name):
            found = scope.lookup(node.value)
            if found is not None:
                # A registry of classes keeps its own name: the project link looks up what it holds.
                return node.value if found.qname is None and is_registry(found) else found.qname
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

    def _configuration(self, qname: str | None) -> bool:
        """Whether ``qname`` is the app's configuration or something read from it (``settings.SITE_NAME``)."""
        if not qname:
            return False
        frameworks = self.k.frameworks
        if qname in frameworks.configuration_functions:
            return True
        head = qname.split("[", 1)[0]
        if any(head == name or head.startswith(name + ".") for name in frameworks.configuration_objects):
            return True
        # A module's object named `settings` or `config` (never an instance's `user.settings`).
        parts = head.split(".")
        return any(
            part in frameworks.configuration_names and all(p.isidentifier() for p in parts[:i])
            for i, part in enumerate(parts)
            if i > 0
        )

    @staticmethod
    def _self_attr(dotted: str, scope: Scope) -> Value | None:
        if scope.cls is None:
            return None
        own = scope.vars.get(dotted)
        if own is not None:
            return own
        kept = scope.cls.attrs.get(dotted)
        given = scope.cls.init_params.get(dotted)
        if kept is not None and given and scope.fn_key and scope.fn_key != f"{scope.cls.name}.__init__":
            # `self.to` in `send` is what `__init__` was given as `to`: the project link follows it there.
            return replace(kept, params=kept.params | frozenset(ATTRIBUTE_PARAM + i for i in given))
        return kept

    def _evaluate(self, node: Any, scope: Scope) -> Value:  # noqa: C901 - one dispatch on exact type
        # libcst node classes are final, so comparing types is exact and much cheaper than
        # isinstance against their abstract bases.
        t = type(node)
        if t is cst.Name:
            return self._name(node, scope)
        if t is cst.Attribute:
            return self._attribute(node, scope)
        if t is cst.Call:
            if _type_expression(node):
                self._call(node, scope)
                return Value(constant=True)  # `OptionalOf(str)`, `ListOf(int)`: a schema's type, not a value
            made = self._call(node, scope)
            if made.fields is None and not made.labels and not made.params and _sample_instance(node):
                # `Member(email="user@domain.com", first_name="Jane")`: a sample; what it was given is the literals
                literals = {arg.keyword.value: CLEAN for arg in node.args if arg.keyword is not None}
                return replace(made, fields=literals)
            return made
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
            left, right = self._ev(node.left, scope), self._ev(node.right, scope)
            joined = union([left, right])
            if isinstance(node.operator, cst.Add) and (left.literal or right.literal):
                return replace(joined, truthy=True)  # `"@" + handle` is never empty
            if isinstance(node.operator, _ARITHMETIC) and joined.labels:
                numbers = frozenset(x for x in joined.labels if not self.classifier.is_text(x.category))
                return replace(joined, labels=numbers)
            return joined
        if t is cst.BooleanOperation:
            left, right = self._ev(node.left, scope), self._ev(node.right, scope)
            if isinstance(node.operator, cst.Or) and left.truthy:
                return left  # `handle or email`: a handle that is never empty leaves the email unused
            return union([left, right])
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
            if not node.elements:
                return CLEAN  # `ips = []`: empty until something is added (see the mutators in `_call`)
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

    def _named_attribute(self, node: cst.Call, short_q: str | None, args: list[Value], scope: Scope) -> Value | None:
        """``getattr(user, "parent_user_id", None)`` reads one attribute, as ``user.parent_user_id`` does."""
        if short_q != "getattr" or len(node.args) not in (2, 3) or any(a.keyword or a.star for a in node.args):
            return None
        owner, named = node.args[0].value, node.args[1].value
        attr = literal_string(named) if isinstance(named, cst.SimpleString) else None
        if not attr or not attr.isidentifier() or not isinstance(owner, (cst.Name, cst.Attribute)):
            return None
        if args[0].request is not None or args[0].origin is not None:
            return None
        # Evaluated outside the memo, which is keyed by the identity of the module's own nodes.
        read = self._evaluate(cst.Attribute(value=owner, attr=cst.Name(attr)), scope)
        return union([read, *args[2:]])  # the default is what getattr gives when the attribute is missing

    @staticmethod
    def _walked_collection(node: cst.Call, value: Value) -> Value | None:
        """``set(fields)``, ``sorted(kwargs)``: what walking the argument gives, as a loop over it would.

        Of a literal dict that is its keys, which are clean; of a parameter, the item a walk gives
        (a caller's dict its keys, a list its elements).
        """
        if value.fields is not None:
            return CLEAN
        if node.args[0].keyword or node.args[0].star or not value.params or not iterates_itself(node.args[0].value):
            return None
        return replace(value, keyed_params=keyed_item(value, ITERATED))

    def _bind_loop(self, target: cst.BaseExpression, iterable_node: cst.BaseExpression, scope: Scope) -> None:
        """A loop variable carries its collection's data, and its name gives context (``for c in customers``)."""
        counted = _enumerated(iterable_node, target)
        if counted is not None:
            # `for i, row in enumerate(rows)`: the first name counts (an int), the second is an item of `rows`.
            counter, item, collection = counted
            self._assign(counter, Value(constant=True), scope, None)
            self._bind_loop(item, collection, scope)
            return
        iterable = self._ev(iterable_node, scope)
        if _walks_a_class(iterable_node, iterable):
            iterable = CLEANED  # `for profile in ContextProfile`: an enumeration's members are its constants
        owner = _model_of_query(iterable_node) or name_of(_viewed_mapping(iterable_node))
        element = Value(
            labels=iterable.labels,
            params=iterable.params,
            origin=iterable.origin,
            # Each item of a clean value is clean: `for info in socket.getaddrinfo(host)`, `for a in settings.ADMINS`.
            constant=iterable.constant and not iterable.labels and not iterable.params,
            cleaned=iterable.cleaned,
            owner_words=self._item_words(owner) if owner else (),
            # `for k in params`: of a caller's dict only the keys; `params.items()` and `.values()` give values.
            keyed_params=keyed_item(iterable, ITERATED) if iterates_itself(iterable_node) else iterable.keyed_params,
        )
        if _is_items_call(iterable_node) and isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2:
            # `for key, value in d.items()`: the key is the name a value is filed under, not the value;
            # filed under it is a thing (`for name, field in form.fields.items()`): the key is the thing's name.
            filed = target.elements[1].value
            key_target = target.elements[0].value
            things = (
                isinstance(filed, cst.Name)
                and self.classifier.names_a_thing(split_words(filed.value))
                and not (isinstance(key_target, cst.Name) and self._classify(key_target.value, ()) is not None)
            )
            key = Value(constant=True) if things else Value(owner_words=element.owner_words)
            self._assign(key_target, key, scope, None)
            self._assign(target.elements[1].value, element, scope, None)
        else:
            self._assign(target, element, scope, None)
        names = _literal_names(iterable_node)
        if names and isinstance(target, cst.Name):
            # `for field in ["username", "email"]`: the names are kept, so `setattr(user, field, ...)` knows them.
            scope.vars[target.value] = Value(constant=True, fields=dict.fromkeys(names, EMPTY))

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
        if node.value in ("True", "False", "None") or node.value in _BUILTIN_TYPES:
            return Value(constant=True)  # `{"email": str, "age": int}`: a schema's types, not the values
        label = self._variable_label(node.value, scope)
        if label is not None:
            return Value(labels=frozenset({label}))
        return EMPTY

    def _names_a_things_own(self, expr: cst.BaseExpression, scope: Scope, key: str | None) -> bool:
        """Whether ``expr`` is a thing's own name (`organization.name`): no key it is put under makes it a person's.

        A thing's other attributes may still be someone's (`event.ip_address`): there the key has its say.
        A key that only repeats the attribute (`"name": game.name`) says no more than it: an owner that
        is no person owns it, even one the rules do not know as a thing. ``key`` is None where the key's
        record says more (its other values are the same owner's: `submitter.username`).
        """
        if not isinstance(expr, cst.Attribute):
            return False
        owner, attr = self._context_of(expr.value, scope), expr.attr.value
        if not self.classifier.owns_attribute(owner, attr):
            return False
        repeated = key is not None and split_words(key) == split_words(attr)
        return repeated or self.classifier.thing_attribute(owner, attr)

    def _attribute(self, node: cst.Attribute, scope: Scope) -> Value:
        dotted = dotted_name(node)
        if dotted is not None:
            bound = self._self_attr(dotted, scope) if dotted.startswith("self.") else scope.lookup(dotted)
            if bound is not None:
                return bound
            if dotted in self.k.request_attributes:
                return Value(request=self.k.request_ids.get("param:" + dotted, "request"))
            shown = self._property_value(node, scope) if dotted.startswith("self.") else None
            if shown is not None:
                return shown
        attr = node.attr.value
        if attr in self.k.cleaning_attributes:
            self._ev(node.value, scope)
            return CLEAN
        if attr in self.k.frameworks.form_containers:
            self._ev(node.value, scope)
            return Value(origin=self.k.frameworks.form_containers[attr])
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
                if self._callers_metadata(label, None, scope):
                    return CLEANED
                self._emit(node, "collect", label, f"{inner_base.request}.{dotted_key}", scope, "request")
                return Value(labels=frozenset({label}))
        base = self._ev(node.value, scope)
        if base.request is not None:
            if attr in self.k.containers:
                return Value(origin=f"{base.request}.{attr}")
            category = self.k.request_values.get(attr)
            if category is not None:
                label = Label(category, f"request.{attr}", "none", f"request attribute '{attr}'")
                if self._callers_metadata(label, None, scope):
                    return CLEANED
                self._emit(node, "collect", label, f"{base.request}.{attr}", scope, "request")
                return Value(labels=frozenset({label}))
            return EMPTY
        if base.origin is not None and attr in self.k.containers:
            return Value(origin=base.origin)
        if base.origin is not None and base.origin in self.k.frameworks.input_classes:
            return self._submitted_field(node, attr, base.origin, scope)
        qname = f"{base.qname}.{attr}" if base.qname else None
        if base.cleaned:
            return CLEANED  # `member.name` of an archive's member, `info.family` of a resolver's answer
        if base.fields is not None and base.fields.get(attr) is CLEAN:
            return CLEAN  # an attribute a sample instance was given as a literal
        if is_constant_name(attr) and not (base.labels or base.origin or base.request or base.fields):
            return Value(constant=True, qname=qname)  # `plugin.SEARCH_QUERY`: a class's constant, the same for all
        if self._configuration(qname):
            return Value(constant=True, qname=qname)  # a setting, whatever its name or the key it is put under
        receiver_words = self._context_of(node.value, scope)
        if len(receiver_words) > 1 and any(w in self.k.frameworks.configuration_holders for w in receiver_words):
            # `self.typed_secrets.db_username`, `smtp_config.username`: a service's login, not a person's.
            return Value(constant=True, qname=qname)
        if self.classifier.thing_attribute(receiver_words, attr) or self.classifier.owns_attribute(
            receiver_words, attr
        ):
            # `queue.email_address` is the queue's mailbox; `case.name` is the case's, whatever the function is about.
            return Value(qname=qname) if qname else EMPTY
        if (
            base.qname
            and not base.qname.endswith("()")
            and not base.labels
            and is_class_name(attr)
            and not any(w in self.classifier.person for w in receiver_words)
        ):
            return Value(qname=qname)  # `views.RHEmailPreview`: a module's class, handed on as a view, not data
        context = receiver_words + scope.words
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

    def _property_value(self, node: cst.Attribute, scope: Scope) -> Value | None:
        """What ``self.display_phone`` is when the class computes it in a property (`mask_phone(self.phone)`).

        None when it is no property of the class, or when what the property returns says nothing: its name does.
        """
        local = self._local_function(node, scope) or self._inherited_method(node.attr.value, scope)
        if local is None or not any(
            name_of(d.decorator) in ("property", "cached_property") for d in local[0].decorators
        ):
            return None
        returned = self._function(*local)
        return Value(labels=returned.labels, qname=returned.qname) if returned.labels else None

    def _inherited_method(self, name: str, scope: Scope) -> tuple[cst.FunctionDef, Scope, ClassInfo] | None:
        """A method of this module's base classes of the current class (`OtpSessionForLogin(OtpSession)`)."""
        pending = [scope.cls.name] if scope.cls is not None else []
        seen: set[str] = set()
        while pending and len(seen) < 8:
            current = pending.pop(0)
            seen.add(current)
            for base in self.exports.class_bases.get(current, ()):
                info = self.classes.get(base.rsplit(".", 1)[-1])
                if info is None or info.name in seen:
                    continue
                if name in info.methods:
                    return info.methods[name], self.module_scope, info
                pending.append(info.name)
        return None

    def _item_words(self, collection: str) -> tuple[str, ...]:
        """What a collection's items are: its last word, unless a person's (``user_platforms`` holds platforms)."""
        words = split_words(collection)
        if "by" in words[1:]:
            words = words[: words.index("by")]  # `members_by_name` holds members, filed under their names
        if len(words) > 1 and not {words[-1], words[-1].removesuffix("s")} & self.classifier.person:
            return words[-1:]
        return words

    def _current_dict_context(self) -> tuple[str, ...]:
        return self._dict_context[-1] if self._dict_context else ()

    def _context_of(self, receiver: cst.CSTNode, scope: Scope) -> tuple[str, ...]:
        if isinstance(receiver, cst.Name) and receiver.value in ("self", "cls"):
            return scope.cls.words if scope.cls else ()
        name = name_of(receiver)
        words = split_words(name) if name else ()
        if isinstance(receiver, cst.Attribute) and words:
            owner = name_of(receiver.value)
            words = self.classifier.without_links(words, split_words(owner) if owner else ())
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
        if key is None and base.qname is None and is_registry(base):
            # `CARRIERS[kind]`: one of the registry's classes, which the project link looks up.
            picked = self._qname(node.value, scope)
            return Value(qname=f"{picked}[]") if picked else EMPTY
        clean_base = base.constant and not base.labels and not base.params
        if base.cleaned:
            return CLEANED
        if base is CLEAN or (clean_base and (base.qname is None or self._configuration(base.qname))):
            return CLEAN  # an item of a value known to be clean (gethostbyname_ex(h)[2][0]) is clean too
        if _domain_part(node):
            return CLEAN  # `email.split("@")[1]`: the mail domain, an organisation's, not the address
        if base.origin is not None:
            if key is None:
                return Value(origin=base.origin)
            return self._request_key(node, key, base.origin, self._current_dict_context() + scope.words, scope)
        if key is not None:
            item = self._keyed_item(base, key, node.value, scope)
            if item is not None:
                return item
        if base.labels and short_slice(node):
            return protect(base, "masked")  # `api_key[:8]`, `card[-4:]`: a few characters shown, not the value
        return self._item_of(base, key, node.value, scope)

    def _item_of(self, base: Value, key: str | None, container: cst.BaseExpression, scope: Scope) -> Value:
        """``base[key]`` (or ``base.get(key)``) once the container's own fields have had their say."""
        if key is not None and self._describes_the_item(container, base, key, scope):
            return EMPTY  # salary["year"], tax_id["type"]: about the value, not the value
        if key is not None and self.classifier.names_a_things_name(split_words(key)):
            return EMPTY  # item["task_name"]: a task's name, whatever else the record holds
        key_words = split_words(key) if key is not None else ()
        if key_words and key_words[-1] in _IDENTIFIER_WORDS:
            # message["id"], person["chat_id"]: the record's key, as `message.id` would be, not its data,
            # whatever a caller's record holds.
            return Value(origin=base.origin)
        labels = self._item_labels(base, key, scope)
        found_by = frozenset(lb for lb in labels if _found_by(lb.identifier))
        if found_by and key is not None and self._classify(key, scope.words) is None:
            # person = get_person_by_email(email): the record holds the address, its "login" item does not.
            labels = labels - found_by
        return Value(
            labels=labels,
            params=base.params,
            origin=base.origin,
            keyed_params=keyed_item(base, key),
        )

    def _item_labels(
        self, base: Value, key: str | None, scope: Scope, any_key_is_a_claim: bool = False
    ) -> frozenset[Label]:
        """What ``base[key]`` carries of ``base``: a token's claims (`id_token["sub"]`) are not the token.

        With no literal key, a subscript (`tokens[i]`) keeps the token; ``any_key_is_a_claim`` says the
        item is a claim whatever the key (`.get(settings.CLAIM)` on a token's payload).
        """
        if key is None and not any_key_is_a_claim:
            return base.labels
        issued = self.k.frameworks.issued_categories
        return frozenset(
            lb
            for lb in base.labels
            if lb.category not in issued
            or (key is not None and self._classify(f"{lb.identifier}_{key}", scope.words) is not None)
        )

    def _describes_the_item(self, container: cst.BaseExpression, base: Value, key: str, scope: Scope) -> bool:
        """Whether ``record[key]`` is something about a record known only by its variable's name.

        `salary` is a salary because it is called one; its `year` is not (as `salary_year` would not be).
        """
        if not isinstance(container, cst.Name) or not base.labels:
            return False
        if any(lb.identifier != container.value for lb in base.labels):
            return False  # the record carries data that flowed into it, not just its name
        if self.classifier.names_a_thing(split_words(key)):
            return True  # `email_props["organization"]`: the organisation, not an email
        return self._classify(f"{container.value}_{key}", scope.words) is None

    def _keyed_item(self, base: Value, key: str, container: cst.BaseExpression, scope: Scope) -> Value | None:
        """The value under a literal key (``d["k"]``, ``d.get("k")``), or None when only the whole is known.

        A container whose keys were assigned one by one holds under another key none of what they carry.
        """
        if base.fields is not None and key in base.fields:
            return base.fields[key]
        label = self._label(key, self._context_of(container, scope), is_key=True)
        if label is not None:
            return Value(labels=frozenset({label}))
        return EMPTY if base.fields is not None else None


# Operators of numbers: `+` joins text, `%` formats it, and `-`, `|`, `&`, `^` combine sets of it.
_ARITHMETIC = (cst.Multiply, cst.Divide, cst.FloorDivide, cst.Power, cst.MatrixMultiply, cst.LeftShift, cst.RightShift)


_BUILTIN_TYPES = frozenset({"str", "int", "float", "bool", "bytes", "list", "dict", "set", "tuple", "frozenset"})


def _type_expression(node: cst.BaseExpression) -> bool:
    """A builtin type, or a class built only from types (`OptionalOf(ListOf(str))`): how a schema names a type."""
    if isinstance(node, cst.Name):
        return node.value in _BUILTIN_TYPES
    if not isinstance(node, cst.Call) or not node.args:
        return False
    return is_class_name(name_of(node.func) or "") and all(
        a.keyword is None and not a.star and _type_expression(a.value) for a in node.args
    )


def _sample_instance(node: cst.Call) -> bool:
    """An instance of a class built only from literal keywords: it holds nothing but what the code wrote."""
    if not is_class_name(name_of(node.func) or "") or not node.args:
        return False
    return all(arg.keyword is not None and not arg.star and _is_literal(arg.value) for arg in node.args)


def _is_literal(node: cst.BaseExpression) -> bool:
    if isinstance(node, (cst.SimpleString, cst.Integer, cst.Float)):
        return True
    if isinstance(node, cst.ConcatenatedString):
        return _is_literal(node.left) and _is_literal(node.right)
    return isinstance(node, cst.Name) and node.value in ("True", "False", "None")


def _literal_names(node: cst.BaseExpression) -> tuple[str, ...]:
    """The strings of a literal list, tuple or set of strings (empty if anything else is in it)."""
    if not isinstance(node, (cst.List, cst.Tuple, cst.Set)) or not node.elements:
        return ()
    names = tuple(literal_string(e.value) for e in node.elements)
    return tuple(n for n in names if n is not None) if all(names) else ()


def _model_of_query(node: cst.BaseExpression) -> str | None:
    """The class a query chain starts from (``Queue`` in ``Queue.objects.filter(...)``): its rows are that class's."""
    while isinstance(node, (cst.Call, cst.Attribute)):
        node = node.func if isinstance(node, cst.Call) else node.value
    if isinstance(node, cst.Name) and node.value[:1].isupper() and not node.value.isupper():
        return node.value
    return None


# The last word of a key that names a record's identifier, never the record's data.
_IDENTIFIER_WORDS = frozenset({"id", "ids", "pk", "uuid", "guid"})


def _found_by(identifier: str) -> bool:
    """Whether a name says a record was looked up by the data it names (`get_person_by_email`)."""
    return "by" in split_words(identifier)[:-1]


def _mapping_view(node: cst.BaseExpression) -> str | None:
    """``items``, ``keys`` or ``values`` when ``node`` is that view of a mapping (``members_by_name.items()``)."""
    if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and not node.args:
        view = node.func.attr.value
        return view if view in ("items", "keys", "values") else None
    return None


def _viewed_mapping(node: cst.BaseExpression) -> cst.BaseExpression:
    """``members_by_name`` for ``members_by_name.items()``: the collection whose name says what its items are."""
    if _mapping_view(node) is None or not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
        return node
    return node.func.value


def _walks_a_class(node: cst.BaseExpression, value: Value) -> bool:
    """Whether a loop walks a class itself (`for p in Profile`, `for s in models.Status`): only an Enum walks."""
    if not isinstance(node, (cst.Name, cst.Attribute)) or value.labels or value.params or value.fields is not None:
        return False
    return is_class_name(node.value if isinstance(node, cst.Name) else node.attr.value)


def iterates_itself(node: cst.BaseExpression) -> bool:
    """Whether a loop over ``node`` walks the object itself (a dict's keys, a list's elements)."""
    if isinstance(node, cst.Call):
        return _mapping_view(node) == "keys"
    return isinstance(node, (cst.Name, cst.Attribute))


def keyed_item(base: Value, key: str | None) -> frozenset[tuple[int, str]]:
    """The parameters of which the item ``base[key]`` is only that item: each parameter reaching ``base`` whole."""
    if key is None:
        return base.keyed_params
    whole = base.params - {i for i, _ in base.keyed_params}
    return base.keyed_params | frozenset((i, key) for i in whole)


def _enumerated(
    node: cst.BaseExpression, target: cst.BaseExpression
) -> tuple[cst.BaseExpression, cst.BaseExpression, cst.BaseExpression] | None:
    """(counter, item, collection) of ``for counter, item in enumerate(collection[, start])``, else None."""
    if not (isinstance(target, (cst.Tuple, cst.List)) and len(target.elements) == 2):
        return None
    if not (isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value == "enumerate"):
        return None
    if not node.args or node.args[0].keyword is not None or node.args[0].star:
        return None
    return target.elements[0].value, target.elements[1].value, node.args[0].value


def _is_items_call(node: cst.BaseExpression) -> bool:
    return _mapping_view(node) == "items"


def _domain_part(node: cst.Subscript) -> bool:
    """``address.split("@")[1]``, ``.rsplit("@", 1)[-1]``, ``.partition("@")[2]``: the part after the @."""
    position = mail_domain_index(node.value)
    if position is None or len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
        return False
    index = node.slice[0].slice.value
    if isinstance(index, cst.Integer):
        return index.value in (str(position), "-1")
    return (
        isinstance(index, cst.UnaryOperation)
        and isinstance(index.operator, cst.Minus)
        and isinstance(index.expression, cst.Integer)
        and index.expression.value == "1"
    )
