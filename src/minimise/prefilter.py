"""A cheap text test that skips files which cannot contain a data point, before any parse."""

from __future__ import annotations

import re

from minimise.knowledge import Knowledge
from minimise.words import split_words

_IDENTIFIERS = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")


class Prefilter:
    """Recall-safe: every data point needs a classified word or a source keyword in the text.

    Identifiers and words inside strings are split exactly as the classifier splits them,
    so a word the classifier could match is never missed; context-only names (``name``)
    only count when a person word is present too.
    """

    def __init__(self, knowledge: Knowledge) -> None:
        vocab = knowledge.classifier.vocabulary()
        self.strong = frozenset(vocab.strong_words) | frozenset(
            w for key in knowledge.request_values for w in split_words(key)
        ) | {"getpass", "input", "prompt"}
        self.context = frozenset(vocab.context_words)
        self.person = frozenset(vocab.person_words)
        # Field types that fix a category by themselves (EmailField, EmailStr), whole.
        self.type_names = frozenset(t.encode() for rule in knowledge.classifier.rules for t in rule.type_names)
        self._seen: dict[bytes, tuple[bool, bool, bool]] = {}

    def wants(self, source: bytes) -> bool:
        has_context = has_person = False
        seen = self._seen
        for match in set(_IDENTIFIERS.findall(source)):
            flags = seen.get(match)
            if flags is None and match in self.type_names:
                return True
            if flags is None:
                words = split_words(match.decode("ascii"))
                flags = (
                    any(w in self.strong for w in words),
                    any(w in self.context for w in words),
                    any(w in self.person for w in words),
                )
                if len(seen) < 500_000:
                    seen[match] = flags
            if flags[0]:
                return True
            has_context = has_context or flags[1]
            has_person = has_person or flags[2]
            if has_context and has_person:
                return True
        return False
