"""Masking values that look like personal data or secrets in report text.

Emails, card numbers, IBANs, SSNs, phone numbers, dates (of birth), passport and national id
numbers, and API keys and tokens (AWS, Stripe, GitHub, Slack, JWT) become fixed masks.

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
# Secrets by their published shapes; each prefix is specific enough not to hit ordinary words.
_TOKENS = re.compile(
    r"(?<![A-Za-z0-9])(?:"
    r"(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}"  # AWS access key ids
    r"|(?:sk|pk|rk)_(?:live|test)_[0-9A-Za-z]{10,247}|whsec_[0-9A-Za-z]{20,}"  # Stripe
    r"|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}"  # GitHub
    r"|xox[abposre]-[A-Za-z0-9-]{10,}"  # Slack tokens
    r"|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"  # JSON web tokens
    r")(?![A-Za-z0-9])"
)
_SLACK_HOOK = re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+")
# A secret named as such: `aws_secret_access_key = ...`, `api_key: ...`, `password=...`.
_NAMED_SECRET = re.compile(
    r"(?i)((?<![A-Za-z])(?:aws_secret_access_key|secret_access_key|api[_-]?key|api[_-]?secret"
    r"|access[_-]?token|auth[_-]?token|client[_-]?secret|password|passwd|pwd)[\"']?\s*[:=]\s*[\"']?)([^\s\"'`,;]{6,})"
)
# Phone numbers: international (+CC ...), or North-American shapes with an area code.
_PHONE = re.compile(
    r"(?<![\w+])(?:\+(?=(?:[ .()-]{0,2}\d){7,15})\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,5}"
    r"|\(\d{3}\)[ .-]?\d{3}[ .-]?\d{4}|\d{3}[.-]\d{3}[.-]\d{4})(?![\w-])"
)
# Calendar dates (a date of birth looks like any other date): ISO, and day/month/year orders.
_DATE = re.compile(
    r"(?<![\w.-])(?:(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])[-/.](?:0?[1-9]|[12]\d|3[01])"
    r"|(?:0?[1-9]|[12]\d|3[01])[-/.](?:0?[1-9]|[12]\d|3[01])[-/.](?:19|20)\d{2})(?![\w.-]|:\d)"
)
# UK National Insurance numbers, and passport / national id numbers named as such.
_NINO = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])")
_NAMED_ID = re.compile(
    r"(?i)((?<![A-Za-z])(?:passport|national[ _-]?id|id[ _-]?card|nin|aadhaar|personalausweis|dni|nie)"
    r"(?:[ _-]?(?:no|number|num|#))?\.?[\"']?\s*[:=#]?\s*[\"']?)((?=[A-Za-z]*\d)[A-Za-z0-9]{6,12})(?![A-Za-z0-9])"
)

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
    text = _SLACK_HOOK.sub("[token]", text)
    text = _TOKENS.sub("[token]", text)
    text = _NAMED_SECRET.sub(lambda m: m.group(1) + "[secret]", text)
    text = _IBAN.sub(_iban, text)
    text = _DIGITS.sub(lambda m: "[card]" if _luhn(m.group(0)) else m.group(0), text)
    text = _SSN.sub("[ssn]", text)
    text = _NAMED_ID.sub(lambda m: m.group(1) + "[id]", text)
    text = _NINO.sub("[id]", text)
    text = _DATE.sub("[date]", text)
    return _PHONE.sub("[phone]", text)


def redact_json(value: object, key: str = "") -> object:
    """A copy of a JSON-like report value with every string masked, except fields in ``_KEEP_KEYS``."""
    if isinstance(value, str):
        return value if key in _KEEP_KEYS else redact_text(value)
    if isinstance(value, dict):
        return {k: redact_json(v, k if isinstance(k, str) else "") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_json(v, key) for v in value]
    return value
