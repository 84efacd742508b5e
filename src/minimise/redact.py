"""Masking values that look like personal data (emails, card numbers, IBANs, SSNs) in report text."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
_DIGITS = re.compile(r"\b(?:\d[ -]?){13,19}\b")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
_SSN = re.compile(r"\b\d{3}-\d{2}-\d{4}\b")


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


def redact_text(text: str) -> str:
    """Replace personal-looking literals with a fixed mask, keeping everything else."""
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _DIGITS.sub(lambda m: "[card]" if _luhn(m.group(0)) else m.group(0), text)
    text = _IBAN.sub("[iban]", text)
    return _SSN.sub("[ssn]", text)
