"""A cheap text test that skips files which cannot contain a data point, before any parse."""

from __future__ import annotations

import re

from minimise.knowledge import Knowledge
from minimise.words import ACCESSOR_VERBS, split_words

_IDENTIFIERS = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


class Prefilter:
    """Recall-safe: every data point needs a name the classifier matches, or a source keyword.

    Every identifier-like run of the text (code, strings and comments alike) is split into
    words exactly as the classifier splits names, and matched against every category name
    as a whole word sequence. Context-only names (``name``) select a file only when a person
    word is present too. A file the prefilter skips can therefore never have a data point;
    tests/test_corpus.py checks that on the whole corpus.
    """

    def __init__(self, knowledge: Knowledge) -> None:
        classifier = knowledge.classifier
        self.strong: dict[str, list[tuple[str, ...]]] = {}
        self.context: dict[str, list[tuple[str, ...]]] = {}
        for rule in classifier.rules:
            for words in rule.names:
                self.strong.setdefault(words[0], []).append(words)
            for words in rule.context_names:
                self.context.setdefault(words[0], []).append(words)
        # Sources personal by themselves (request.remote_addr, getpass.getpass) are read by their
        # exact attribute or function name, so only that selects a file: a word match would let
        # every `publish_remote_channel` (or a docstring's "remote") pull one in for `request.remote`.
        exact = {t for rule in classifier.rules for t in rule.type_names}
        exact |= {f.rsplit(".", 1)[-1] for f, category in knowledge.input_functions.items() if category}
        attributes = (
            rb"\.\s*".join(re.escape(part.encode()) for part in key.split(".")) for key in knowledge.request_values
        )
        self.request_attributes = re.compile(rb"\.\s*(?:" + b"|".join(sorted(attributes)) + rb")\b")
        self.person = frozenset(classifier.person) | frozenset(w + "s" for w in classifier.person)
        self.exact_names = frozenset(name.encode() for name in exact)
        self._seen: dict[bytes, tuple[bool, bool, bool]] = {}
        self.sink_words: frozenset[bytes | str] = _sink_vocabulary(knowledge)
        frameworks = knowledge.frameworks
        self.global_words = tuple(
            sorted(
                {name.rsplit(".", 1)[-1].encode() for name in frameworks.server_session_calls}
                | {name.encode() for name in frameworks.server_session_attributes}
            )
        )

    @staticmethod
    def _matches(words: tuple[str, ...], index: dict[str, list[tuple[str, ...]]]) -> bool:
        for start, word in enumerate(words):
            for name in index.get(word, ()):
                if words[start : start + len(name)] == name:
                    return True
        return False

    def _flags(self, identifier: bytes) -> tuple[bool, bool, bool]:
        if identifier in self.exact_names:
            return (True, False, False)
        words = split_words(identifier.decode("ascii"))
        # The classifier drops a leading accessor verb (getEmail); so must we.
        tail = words[1:] if len(words) > 1 and words[0] in ACCESSOR_VERBS else words
        return (
            self._matches(words, self.strong) or self._matches(tail, self.strong),
            self._matches(words, self.context) or self._matches(tail, self.context),
            any(w in self.person for w in words),
        )

    def wants(self, source: bytes) -> bool:
        if self.request_attributes.search(source):
            return True
        has_context = has_person = False
        seen = self._seen
        for match in set(_IDENTIFIERS.findall(source)):
            flags = seen.get(match)
            if flags is None:
                flags = self._flags(match)
                if len(seen) < 500_000:
                    seen[match] = flags
            if flags[0]:
                return True
            has_context = has_context or flags[1]
            has_person = has_person or flags[2]
            if has_context and has_person:
                return True
        return False

    def wants_summary(self, source: bytes) -> bool:
        """Whether a file with no personal names may still define a function that hands data to a sink.

        Such a file (a project logging helper, a mail wrapper) has no data point of its own, but its
        summary lets the project-wide phase follow data passed to it from elsewhere.
        """
        if b"def " not in source and b"class " not in source and b"import" not in source:
            return False
        words = self.sink_words
        for identifier in set(_IDENTIFIERS.findall(source)):
            if identifier in words or any(w in words for w in split_words(identifier.decode("ascii"))):
                return True
        return False

    def may_defer(self, source: bytes) -> bool:
        """Whether a summary-only file matters only to the modules that import it.

        A class with a base (a model, a schema, a mixin) can shape other modules' results without being
        imported by them (the writes of a model's subclass, a session backend installed by name), as can
        moving the session to a server store; every other summary is reached through an import.
        """
        return not _BASED_CLASS.search(source) and not any(word in source for word in self.global_words)


_LEADING_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_BASED_CLASS = re.compile(rb"^[ \t]*class[ \t]+\w+[ \t]*\(\s*[^)\s]", re.MULTILINE)


def _sink_vocabulary(knowledge: Knowledge) -> frozenset[bytes | str]:
    """The first names of every sink's qualified names (logging, loguru, requests), and its receiver words."""
    words: set[str] = set()
    for sink in knowledge.sinks:
        for pattern in (sink.functions, sink.objects):
            if pattern is None:
                continue
            body = pattern.pattern.removeprefix("^(?:").removesuffix(")$")
            for alternative in body.split("|"):
                found = _LEADING_NAME.match(alternative)
                if found:
                    words.add(found.group(0))
        words |= sink.receiver_words
        words |= sink.any_receiver
    return frozenset(w.encode() for w in words) | frozenset(words)
