"""Masking values that look like personal data (emails, card numbers, IBANs, SSNs) in report text.

Everything a report prints that came from the analysed code (messages, identifiers,
error text, source lines) goes through :func:`redact_text`, so literal personal data
written in code never reaches a report, a log or a CI artefact.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_DIGITS = re.compile(r"(?<!\w)(?<!\d\.)\d(?:[ -]?\d){12,18}(?!\w|\.\d)")
_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?:[ ]?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])")
_SSN = re.compile(r"(?<![\w-])\d{3}([- ])\d{2}\1\d{4}(?![\w-])")

# Report fields that name places, not values from the code: never masked.
_KEEP_KEYS = frozenset(
    {
        "path",
        "schema",
        "fingerprint",
        "code",
        "severity",
        "category",
        "action",
        "sensitivity",
        "protection",
        "via",
        "scope",
        "name",
        "version",
    }
)


def _luhn(number: str) -> bool:
    digits = [int(d) for d in number if d.isdigit()]
    if len(digits) < 13:
        return False
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def _iban_valid(text: str) -> bool:
    """ISO 13616 check digits: move the first four characters to the end, letters to numbers, mod 97."""
    compact = text.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34:
        return False
    moved = compact[4:] + compact[:4]
    try:
        number = "".join(str(int(c, 36)) for c in moved)
    except ValueError:
        return False
    return int(number) % 97 == 1


def _iban(match: re.Match[str]) -> str:
    text = match.group(0)
    # The regex can swallow a word that follows after a space; try shorter cuts too.
    candidate = text
    while candidate:
        if _iban_valid(candidate):
            return "[iban]" + text[len(candidate) :]
        cut = candidate.rfind(" ")
        if cut <= 4:
            break
        candidate = candidate[:cut]
    return text


def redact_text(text: str) -> str:
    """Replace personal-looking literals with a fixed mask, keeping everything else."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _IBAN.sub(_iban, text)
    text = _DIGITS.sub(lambda m: "[card]" if _luhn(m.group(0)) else m.group(0), text)
    return _SSN.sub("[ssn]", text)


def redact_json(value: object, key: str = "") -> object:
    """A copy of a JSON-like report value with every string masked, except fields in ``_KEEP_KEYS``."""
    if isinstance(value, str):
        return value if key in _KEEP_KEYS else redact_text(value)
    if isinstance(value, dict):
        return {k: redact_json(v, k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(v, key) for v in value]
    return value
