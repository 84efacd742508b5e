"""Splitting identifiers and keys into lower-case words, the unit every name rule matches on."""

from __future__ import annotations

import re
from functools import lru_cache

# Verbs that start an accessor's name without changing what it names: `get_email` is an email.
ACCESSOR_VERBS = frozenset({"get", "set", "fetch", "load", "read"})
# Product names whose humps are not words (`AzureMySQL` is Azure's MySQL, not "my"): kept whole.
_HUMPS = re.compile(r"(?:My|No|Ms|Postgre|Graph)SQL|GraphQL|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


@lru_cache(maxsize=65536)
def split_words(identifier: str) -> tuple[str, ...]:
    """``getEmailAddress``, ``email_address`` and ``EMAIL-ADDR`` become word tuples.

    Separators are anything but letters and digits; camelCase humps and digit runs
    split too, so ``addressLine2`` is ``("address", "line", "2")``.
    """
    return tuple(m.group(0).lower() for m in _HUMPS.finditer(identifier))


def is_class_name(identifier: str) -> bool:
    """CapWords names (``RHEmailPreview``) are classes: a reference to one carries no person's data."""
    return identifier[:1].isupper() and "_" not in identifier and any(c.islower() for c in identifier)


def is_constant_name(identifier: str) -> bool:
    """ALL_CAPS names are configuration constants (``DEFAULT_FROM_EMAIL``), not user data."""
    letters = [c for c in identifier if c.isalpha()]
    return len(letters) > 1 and all(c.isupper() for c in letters)
