"""What a variable's own name says it holds, and what binding a value to that name makes of the value."""

from __future__ import annotations

from dataclasses import replace

from minimise.analysis.base import AnalyserBase
from minimise.analysis.facts import EMPTY, Label, Scope, Value, protect
from minimise.words import split_words

# A person's name: a label a thing's name (`table_name`, `file_name`) given the same value undoes.
_FULL_NAME = "user.name"


class VariableNaming(AnalyserBase):
    """Reads variable names as statements of what they hold."""

    def _variable_label(self, name: str, scope: Scope) -> Label | None:
        """What a variable's own name says it holds, in the words of the function around it.

        A category that asks for its owner's words (a profile's `value`) is not given by the function's
        name: `value` in `officer_profile` is not a profile's answer.
        """
        found = self._classify(name, scope.words)
        if found is None or (found.own_context and found.via_context not in ("", "name")):
            return None
        return self._label_of(found, name)

    def _bind_name(self, name: str, value: Value, scope: Scope) -> Value:
        if (
            value.labels
            and all(lb.category == _FULL_NAME for lb in value.labels)
            and self.classifier.names_a_things_name(split_words(name))
        ):
            # `table_name = validate(name)`: the table's name, whatever the argument was called.
            return replace(value, labels=frozenset())
        if value.constant or value.owner_words:
            if value.owner_words and not value.labels and self._label(name, scope.words) is None:
                # `for name, member in members_by_name.items()`: the collection's words say whose name it is.
                owned = self._label(name, value.owner_words)
                return replace(value, labels=frozenset({owned})) if owned is not None else value
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
        label = self._variable_label(name, scope)
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
            keyed_params=value.keyed_params,
            truthy=value.truthy,
        )
