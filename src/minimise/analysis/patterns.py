"""Names bound by ``case`` patterns: each carries the part of the match subject it captures."""

from __future__ import annotations

import libcst as cst

from minimise.analysis.base import AnalyserBase
from minimise.analysis.facts import EMPTY, Scope, Value
from minimise.analysis.syntax import literal_string
from minimise.words import split_words


class MatchBindings(AnalyserBase):
    """``case {"email": e}``, ``case User(email=e)``, ``case [first, *rest]``, ``case str() as e``."""

    def _bind_pattern(self, pattern: cst.MatchPattern, subject: Value, scope: Scope) -> None:
        if isinstance(pattern, cst.MatchAs):
            if pattern.pattern is not None:
                self._bind_pattern(pattern.pattern, subject, scope)
            if pattern.name is not None:
                self._assign(pattern.name, subject, scope, None)
        elif isinstance(pattern, cst.MatchOr):
            for alternative in pattern.patterns:
                self._bind_pattern(alternative.pattern, subject, scope)
        elif isinstance(pattern, (cst.MatchList, cst.MatchTuple)):
            element = Value(labels=subject.labels, params=subject.params, origin=subject.origin)
            for item in pattern.patterns:
                if isinstance(item, cst.MatchStar):
                    if item.name is not None:
                        self._assign(item.name, element, scope, None)
                else:
                    self._bind_pattern(item.value, element, scope)
        elif isinstance(pattern, cst.MatchMapping):
            for entry in pattern.elements:
                self._bind_pattern(entry.pattern, self._pattern_item(subject, entry.key, scope), scope)
            if pattern.rest is not None:
                self._assign(pattern.rest, subject, scope, None)
        elif isinstance(pattern, cst.MatchClass):
            self._bind_class_pattern(pattern, subject, scope)

    def _pattern_item(self, subject: Value, key_node: cst.BaseExpression, scope: Scope) -> Value:
        """What ``{"key": p}`` captures of the subject, as ``subject["key"]`` would be evaluated."""
        key = literal_string(key_node)
        if key is None:
            return Value(labels=subject.labels, params=subject.params)
        if subject.origin is not None:  # a request container: reading a key is collecting it
            return self._request_key(key_node, key, subject.origin, scope.words, scope)
        if subject.fields is not None and key in subject.fields:
            return subject.fields[key]
        label = self._label(key, (), is_key=True)
        if label is not None:
            return Value(labels=frozenset({label}))
        return Value(labels=subject.labels, params=subject.params)

    def _bind_class_pattern(self, pattern: cst.MatchClass, subject: Value, scope: Scope) -> None:
        """``User(email=e)``: ``e`` is the subject's attribute, named with the class's words as context."""
        class_name = pattern.cls.attr.value if isinstance(pattern.cls, cst.Attribute) else None
        if isinstance(pattern.cls, cst.Name):
            class_name = pattern.cls.value
        context = split_words(class_name) if class_name else ()
        for positional in pattern.patterns:
            self._bind_pattern(positional.value, Value(params=subject.params), scope)
        for keyword in pattern.kwds:
            label = self._label(keyword.key.value, context + scope.words, shown=keyword.key.value)
            attribute = Value(labels=frozenset({label})) if label is not None else EMPTY
            self._bind_pattern(keyword.pattern, attribute, scope)
