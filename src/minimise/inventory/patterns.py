"""Names in the inventory: normalised spellings and name patterns limited to a linear-time subset."""

from __future__ import annotations

import re
from typing import Any

from minimise.words import split_words

MAX_PATTERN_LENGTH = 200
MAX_NAME_LENGTH = 200  # names longer than this are never tested against patterns


def normalise_name(name: str) -> str:
    """``emailAddress``, ``email-address`` and ``EMAIL_ADDRESS`` all become ``email_address``."""
    return "_".join(split_words(name))


def _regex_parser() -> Any:
    try:
        import re._parser as parser  # type: ignore[import-not-found]  # Python 3.11+
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_parse as parser  # type: ignore[no-redef]
    return parser


def unsafe_regex_reason(pattern: str) -> str | None:
    """Why ``pattern`` could backtrack catastrophically, or None when it is in the safe subset.

    The safe subset has no backreferences and no repetition of anything that itself repeats or
    branches (``(a+)+``, ``(a|ab)*``): with those excluded, matching is polynomial and the
    names tested are short (at most MAX_NAME_LENGTH characters).
    """
    parser = _regex_parser()
    try:
        tree = parser.parse(pattern)
    except re.error as exc:
        return f"invalid regular expression: {exc}"
    repeats = {parser.MAX_REPEAT, parser.MIN_REPEAT}
    possessive = getattr(parser, "POSSESSIVE_REPEAT", None)
    if possessive is not None:
        repeats.add(possessive)

    def contains_risk(items: Any) -> bool:
        for op, arg in items:
            if op in repeats or op is parser.BRANCH:
                return True
            if op is parser.SUBPATTERN and contains_risk(arg[-1]):
                return True
            if op in (parser.ASSERT, parser.ASSERT_NOT) and contains_risk(arg[1]):
                return True
        return False

    def walk(items: Any) -> str | None:
        for op, arg in items:
            if op in (parser.GROUPREF, getattr(parser, "GROUPREF_EXISTS", None)):
                return "backreferences are not allowed"
            if op in repeats:
                body = arg[2]
                if arg[1] > 1 and contains_risk(body):  # `(...)?` repeats at most once: harmless
                    return "nested repetition such as (a+)+ or (a|b)* can take exponential time; simplify it"
                found = walk(body)
            elif op is parser.SUBPATTERN:
                found = walk(arg[-1])
            elif op is parser.BRANCH:
                found = next((r for r in (walk(b) for b in arg[1]) if r), None)
            elif op in (parser.ASSERT, parser.ASSERT_NOT):
                found = walk(arg[1])
            else:
                found = None
            if found:
                return found
        return None

    return walk(tree)


def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a name pattern in the safe subset or raise ValueError saying why not.

    The pattern must also compile for RE2, the linear-time engine names are matched with (see
    :func:`pattern_matches`); the returned ``re.Pattern`` keeps the text and flags.
    """
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise ValueError(f"pattern is longer than {MAX_PATTERN_LENGTH} characters")
    reason = unsafe_regex_reason(pattern)
    if reason:
        raise ValueError(reason)
    compiled = re.compile(pattern)
    try:
        _linear(compiled)
    except Exception as exc:  # noqa: BLE001 - re2.error: a construct RE2 cannot run in linear time
        raise ValueError(f"not supported by the linear-time matcher: {exc}") from None
    return compiled


_LINEAR: dict[tuple[str, int], Any] = {}


def _linear(pattern: re.Pattern[str]) -> Any:
    """The RE2 compilation of ``pattern``: matching time linear in the name, whatever the pattern.

    Python's backtracking engine takes exponential time on shapes such as ``a*a*a*a*b`` that no
    syntactic check rules out completely; RE2 never backtracks.
    """
    key = (pattern.pattern, pattern.flags)
    compiled = _LINEAR.get(key)
    if compiled is None:
        import re2  # google-re2

        options = re2.Options()
        options.case_sensitive = not pattern.flags & re.IGNORECASE
        options.max_mem = 8 << 20
        options.log_errors = False
        compiled = _LINEAR[key] = re2.compile(pattern.pattern, options)
    return compiled


def pattern_matches(pattern: re.Pattern[str], name: str) -> bool:
    return len(name) <= MAX_NAME_LENGTH and _linear(pattern).fullmatch(name) is not None
