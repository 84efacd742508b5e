"""What a dict literal or keyword dict carries: each key's value, labelled by the key among its siblings."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.facts import Label, Scope, Value, named_by_key, union
from minimise.analysis.syntax import literal_string
from minimise.words import split_words


class DictEvaluation(AnalyserBase):
    """Evaluates dict displays and ``dict(k=v)``: the fields they hold and what each key says its value is."""

    def _key_words(self, node: cst.Dict) -> list[tuple[cst.BaseDictElement, tuple[str, ...], bool]]:
        """Each literal key's words, and whether the key names personal data by itself."""
        found: list[tuple[cst.BaseDictElement, tuple[str, ...], bool]] = []
        for element in node.elements:
            key = _literal_key(element) if isinstance(element, cst.DictElement) else None
            if key:
                found.append((element, split_words(key), self._classify(key, (), is_key=True) is not None))
        return found

    @staticmethod
    def _keys_context(
        keys: list[tuple[cst.BaseDictElement, tuple[str, ...], bool]], skipped: cst.BaseDictElement | None = None
    ) -> tuple[str, ...]:
        """Context from the keys other than ``skipped``: a record with an email or a street is about a person's
        address, and a key is no context for itself (`"Account-Number"`)."""
        others = [(words, personal) for element, words, personal in keys if element is not skipped]
        words = tuple(w for key_words, _ in others for w in key_words)
        return ("person", *words) if any(personal for _, personal in others) else words

    def _keyword_dict(self, node: cst.Call, args: list[Value], scope: Scope) -> Value:
        """``dict(k=v, ...)`` (keywords only): what each key carries, as ``{"k": v}`` would keep it."""
        fields: dict[str, Value] = {}
        for arg, value in zip(node.args, args, strict=False):
            if arg.keyword is None:
                continue
            if not value.constant and not value.labels:
                label = self._label(arg.keyword.value, scope.words, is_key=True)
                if label is not None:
                    value = Value(labels=frozenset({named_by_key(label, value)}), params=value.params)
            fields[arg.keyword.value] = value
        merged = union(args)
        labels = frozenset(lb for item in fields.values() for lb in item.labels)
        return Value(labels=labels, params=merged.params, fields=fields, keyed_params=merged.keyed_params)

    def _keyword_labels(self, node: cst.Call, args: list[Value], scope: Scope) -> set[Label]:
        labels: set[Label] = set()
        for arg, value in zip(node.args, args, strict=False):
            labels |= value.labels
            if arg.keyword is not None and not value.constant and not value.labels:
                label = self._label(arg.keyword.value, scope.words, is_key=True)
                if label is not None:
                    labels.add(named_by_key(label, value))
        return labels

    def _dict(self, node: cst.Dict, scope: Scope) -> Value:
        keys = self._key_words(node)
        context = self._keys_context(keys)
        self._dict_context.append(context)
        try:
            return self._dict_entries(node, scope, keys, context)
        finally:
            self._dict_context.pop()

    def _dict_entries(
        self,
        node: cst.Dict,
        scope: Scope,
        keys: list[tuple[cst.BaseDictElement, tuple[str, ...], bool]],
        context: tuple[str, ...],
    ) -> Value:
        fields: dict[str, Value] = {}
        parts: list[Value] = []
        shape = _is_geojson_shape(node)
        # Each key's context is its siblings'; past a few dozen keys (generated tables) the whole dict's.
        per_key = len(node.elements) <= _SIBLING_KEYS_LIMIT
        owners = Counter(_owner_code(e.value) for e in node.elements)
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                self._ev(element.key, scope)
                value = self._ev(element.value, scope)
                key = _literal_key(element)
                if (
                    key is not None
                    and not shape
                    and not value.constant
                    and not value.labels
                    and key.lower() not in self.k.frameworks.client_headers
                    and not self._names_a_things_own(
                        element.value, scope, key if owners[_owner_code(element.value)] < 2 else None
                    )
                ):
                    siblings = self._keys_context(keys, element) if per_key else context
                    label = self._label(key, scope.words + siblings, is_key=True)
                    if label is not None:
                        value = Value(
                            labels=frozenset({named_by_key(label, value)}),
                            params=value.params,
                            keyed_params=value.keyed_params,
                            protected_params=value.protected_params,
                        )
                        self._memo[id(element.value)] = value
                if key is not None and value.labels and all(_bare_address(lb) for lb in value.labels):
                    # `{"email": address}`: an address the key says is an email (or IP) address is that.
                    keyed = self._label(key, (), is_key=True)
                    if keyed is not None and keyed.category in _ADDRESS_KINDS:
                        value = replace(value, labels=frozenset({named_by_key(keyed, value)}))
                if key is not None:
                    fields[key] = value
                parts.append(value)
            else:
                spread = self._ev(element.value, scope)
                if spread.fields:
                    fields.update(spread.fields)  # `{**self.headers, "Authorization": ...}` keeps its keys
                parts.append(spread)
        merged = union(parts)
        return Value(labels=merged.labels, params=merged.params, fields=fields, keyed_params=merged.keyed_params)


# GeoJSON geometries that are areas or lines: their coordinates outline a region, no one's position.
_SHAPES = frozenset({"Polygon", "MultiPolygon", "LineString", "MultiLineString", "GeometryCollection"})


_SIBLING_KEYS_LIMIT = 40


def _owner_code(expr: cst.BaseExpression) -> str | None:
    """The object whose attribute a value is (`game` of `game.name`), as code; None for any other value."""
    return cst.Module([]).code_for_node(expr.value) if isinstance(expr, cst.Attribute) else None


def _literal_key(element: cst.DictElement) -> str | None:
    if isinstance(element.key, (cst.SimpleString, cst.ConcatenatedString)):
        return literal_string(element.key)
    return None


def _is_geojson_shape(node: cst.Dict) -> bool:
    """`{"type": "MultiPolygon", "coordinates": rings}`: a region's outline, whatever its keys are named."""
    return any(
        isinstance(e, cst.DictElement) and literal_string(e.key) == "type" and literal_string(e.value) in _SHAPES
        for e in node.elements
    )


# What a key may say a bare `address` is.
_ADDRESS_KINDS = frozenset({"user.contact.email", "user.device.ip_address"})


def _bare_address(label: Label) -> bool:
    """A postal address known only from a name that is just `address`."""
    return label.category == "user.contact.address" and split_words(label.identifier) == ("address",)
