"""Reading a source file into text: PEP 263 cookies, BOMs, binary, oversized and pathological files."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from collections.abc import Callable

# libcst needs about 800 bytes of memory per byte of source and ~8 s per MiB, so a
# bigger file (nearly always generated: protobuf stubs, data tables, bundles) is
# reported as an error instead of exhausting the machine.
MAX_SOURCE_BYTES = 2 * 1024 * 1024

# libcst's native parser recurses on the C stack and crashes the whole process
# (SIGSEGV, not a catchable error) on code nested a few thousand levels deep, and
# its run time grows with the square of the nesting. CPython itself refuses more
# than 200 nested brackets, so real code never exceeds these limits.
MAX_BRACKET_DEPTH = 200
# Tokens of one expression between separators (`,` `;` `:` `=` newline) at one
# bracket level: ``a + b + ...``, ``x.a.b...``, ``f()()...``, ``not not ...``.
MAX_CHAIN_TOKENS = 2000
# ``lambda`` keywords in one logical line (``lambda: lambda: ...`` nests).
MAX_LAMBDAS_PER_LINE = 200

_COOKIE = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+", re.M)
_BRACKETS = re.compile(r"[()\[\]{}]")
_SEPARATORS = re.compile(r"[,;:=]")
_SEPARATOR_OPS = frozenset({",", ";", ":", "=", ":=", "->"}) | frozenset(
    op + "=" for op in ("+", "-", "*", "/", "//", "%", "@", "&", "|", "^", ">>", "<<", "**")
)
_SKIPPED_TOKENS = frozenset({tokenize.COMMENT, tokenize.NL, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING})


# Python's tokenizer ends a line at \n, \r\n and \r only. Form feed, vertical tab, \x1c-\x1e,
# \x85, U+2028 and U+2029 are ordinary characters to it, but ``str.splitlines`` breaks on them
# and would shift every line below: line numbers in minimise are counted with these instead.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    r"""``text`` split at ``\n``, ``\r\n`` and ``\r`` only, without the line ends (like ``splitlines``)."""
    lines = _LINE_BREAK.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def count_breaks(text: str) -> int:
    r"""How many line ends (``\n``, ``\r\n``, ``\r``) ``text`` holds."""
    newlines = text.count("\n")
    returns = text.count("\r")
    return newlines + returns - text.count("\r\n") if returns else newlines


class SourceError(Exception):
    """A file that cannot be turned into Python text; ``line`` is 0 when it concerns the whole file."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def _line_of_byte(raw: bytes, offset: int) -> int:
    before = raw[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def readline_of(text: str) -> Callable[[], str]:
    """A readline for ``tokenize`` that ends lines where Python does (``\r`` alone included)."""
    return io.StringIO(_LINE_BREAK.sub("\n", text) if "\r" in text else text).readline


_readline = readline_of
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines_keepends(text: str) -> list[str]:
    r"""``text`` split at ``\n``, ``\r\n`` and ``\r`` only, each line with its end (like ``splitlines(True)``)."""
    return _LINE_WITH_END.findall(text)


def decode_source(raw: bytes) -> str:
    """Decode like the interpreter does: BOM, then a coding cookie, then UTF-8.

    Also refuses text too deeply nested for the parser (see :func:`check_nesting`) and match
    patterns too complex for it (see :func:`check_patterns`).
    """
    if not raw.strip():
        return ""  # an empty __init__.py is normal: nothing to analyse, nothing to report
    if b"\0" in raw:
        raise SourceError("binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        cookie = _COOKIE.search(b"\n".join(raw.splitlines()[:2]))
        if cookie is not None:
            line = _line_of_byte(raw, cookie.start())
            raise SourceError(f"bad coding cookie: {exc.msg if hasattr(exc, 'msg') else exc}", line) from None
        encoding = "utf-8"  # no cookie: the first lines are simply not UTF-8; say where below
    _check_codec(encoding, raw)
    try:
        text = raw.decode(encoding)
    except (UnicodeError, LookupError, ValueError, TypeError) as exc:
        # UnicodeError covers codecs that fail without a position (punycode, undefined).
        line = _line_of_byte(raw, getattr(exc, "start", 0))
        reason = getattr(exc, "reason", None) or str(exc) or type(exc).__name__
        advice = "add a PEP 263 coding line or re-save as UTF-8"
        raise SourceError(f"cannot decode as {encoding}: {reason}; {advice}", line) from None
    if not isinstance(text, str):
        raise SourceError(f"coding {encoding} does not produce text", 1)
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\0" in text:
        raise SourceError(f"decoding as {encoding} produced NUL characters, not Python source", 1)
    check_nesting(text)
    check_patterns(text)
    return text


# Codecs a coding cookie may name that are not character encodings of source text: they
# decode escapes (so hide what the code says), raise without a position, or take quadratic
# time (punycode).
_REFUSED_CODECS = frozenset({"punycode", "idna", "undefined", "unicode_escape", "raw_unicode_escape"})


def _check_codec(encoding: str, raw: bytes) -> None:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise SourceError(f"bad coding cookie: unknown encoding: {encoding}", 1) from None
    if name.replace("-", "_") in _REFUSED_CODECS:
        cookie = _COOKIE.search(b"\n".join(raw.splitlines()[:2]))
        line = _line_of_byte(raw, cookie.start()) if cookie is not None else 1
        raise SourceError(f"coding {encoding} is not a source encoding minimise reads; re-save as UTF-8", line)


def check_nesting(text: str) -> None:
    """Raise SourceError if ``text`` is nested too deeply or chained too long to parse safely.

    A cheap scan of the raw characters clears almost every file; only a file that
    might exceed a limit is tokenised, so brackets and words inside strings and
    comments do not count against it.
    """
    if not _maybe_too_complex(text):
        return
    try:
        problem = _measure(text)
    except (tokenize.TokenError, SyntaxError, RecursionError):
        # Not tokenisable: the parser will report it; the cheap scan decides.
        problem = _naive_depth_problem(text)
    if problem is not None:
        line, message = problem
        raise SourceError(message, line)


def _maybe_too_complex(text: str) -> bool:
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
        else:
            depth -= 1
    if deepest > MAX_BRACKET_DEPTH:
        return True
    if text.count("lambda") > MAX_LAMBDAS_PER_LINE:
        return True
    # A chain of N tokens is at least N characters with no separator in between.
    return any(len(piece) > MAX_CHAIN_TOKENS for piece in _SEPARATORS.split(text))


def _naive_depth_problem(text: str) -> tuple[int, str] | None:
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "([{":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                return _too_deep(text.count("\n", 0, match.start()) + 1)
        else:
            depth -= 1
    return None


def _too_deep(line: int) -> tuple[int, str]:
    return line, f"code nested too deeply to analyse (more than {MAX_BRACKET_DEPTH} brackets; Python allows 200)"


def _measure(text: str) -> tuple[int, str] | None:
    """Tokenise and apply the limits exactly; the first problem as (line, message)."""
    chains = [0]  # tokens since the last separator, one counter per open bracket
    lambdas = 0
    for token in tokenize.generate_tokens(_readline(text)):
        kind = token.type
        if kind in _SKIPPED_TOKENS:
            continue
        line = token.start[0]
        if kind == tokenize.NEWLINE or kind == tokenize.ENDMARKER:
            chains = [0]
            lambdas = 0
            continue
        value = token.string
        if kind == tokenize.OP and value in "([{" and value:
            # A call or subscript trailer costs the parser about twice an operator.
            chains[-1] += 2
            if chains[-1] > MAX_CHAIN_TOKENS:
                return _too_long(line)
            chains.append(0)
            if len(chains) - 1 > MAX_BRACKET_DEPTH:
                return _too_deep(line)
            continue
        if kind == tokenize.OP and value in ")]}" and value:
            if len(chains) > 1:
                chains.pop()
            continue
        if kind == tokenize.OP and value in _SEPARATOR_OPS:
            chains[-1] = 0
            continue
        if kind == tokenize.NAME and value == "lambda":
            lambdas += 1
            if lambdas > MAX_LAMBDAS_PER_LINE:
                limit = MAX_LAMBDAS_PER_LINE
                return line, f"code nested too deeply to analyse (more than {limit} lambdas in one statement)"
        chains[-1] += 1
        if chains[-1] > MAX_CHAIN_TOKENS:
            return _too_long(line)
    return None


def _too_long(line: int) -> tuple[int, str]:
    return line, f"expression too long to analyse (more than {MAX_CHAIN_TOKENS} operators and operands without a comma)"


def tokenizer_error_line(text: str) -> int | None:
    """The 1-based line of the first lexical error in ``text``, or None if there is none.

    libcst reports every tokenizer error (a stray ``$``, an unterminated string) at
    line 1; Python's own tokenizer knows where it is.
    """
    try:
        for token in tokenize.generate_tokens(_readline(text)):
            if token.type == tokenize.ERRORTOKEN and not token.string.isspace():
                return token.start[0]
    except tokenize.TokenError as exc:
        position = exc.args[1] if len(exc.args) > 1 else None
        return position[0] if isinstance(position, tuple) and position else None
    except SyntaxError as exc:  # Python 3.12+: the C tokenizer raises SyntaxError
        return exc.lineno
    except RecursionError:
        return None
    return _compiler_error_line(text)


def _compiler_error_line(text: str) -> int | None:
    """The line CPython's own parser reports, for errors the ``tokenize`` module lets through.

    ``tokenize`` accepts inconsistent tabs and spaces and f-strings that do not close; only
    called after libcst failed, on text the nesting pre-checks have already bounded.
    """
    import ast

    try:
        compile(text, "<source>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as exc:  # TabError and IndentationError included
        return exc.lineno if exc.lineno and exc.lineno > 0 else None
    except (ValueError, RecursionError, MemoryError):
        return None
    return None


# libcst's parser takes time exponential in the nesting of ``case`` patterns (a list pattern
# 24 deep: 37 s; mappings of lists 8 deep: minutes), and linear in their width at each depth.
# Each atom of a pattern costs PATTERN_GROWTH ** depth units; measured, a unit is about a
# microsecond for the worst bracket kind (mappings), so the budget keeps a file under ~1 s.
PATTERN_GROWTH = 4
MAX_PATTERN_COST = 1_000_000
_CASE_START = re.compile(r"^[ \t]*case\b", re.M)
_PATTERN_PIECES = re.compile(
    r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:\\.|[^"\\\n\r])*"|\'(?:\\.|[^\'\\\n\r])*\''
    r"|#[^\n\r]*|\\\r?\n|\\\r|[\n\r]|[(\[{]|[)\]}]|:|[A-Za-z0-9_.]+"
)


def check_patterns(text: str) -> None:
    """Raise SourceError if the file's ``case`` patterns would take the parser too long."""
    if "case" not in text:
        return
    total = 0
    for start in _CASE_START.finditer(text):
        total += _pattern_cost(text, start.end())
        if total > MAX_PATTERN_COST:
            line = count_breaks(text[: start.start()]) + 1
            raise SourceError(
                "match pattern too deeply nested to analyse (the parser's time grows exponentially with "
                "pattern nesting); flatten it or split it into several cases",
                line,
            )


def _pattern_cost(text: str, offset: int) -> int:
    """Cost units of the pattern that starts at ``offset``: up to its ``:`` (or line end) at depth 0."""
    depth = 0
    cost = 0
    for piece in _PATTERN_PIECES.finditer(text, offset):
        token = piece.group()
        first = token[0]
        if first in "([{":
            depth += 1
            cost += PATTERN_GROWTH**depth if depth < 20 else MAX_PATTERN_COST
        elif first in ")]}":
            depth = max(0, depth - 1)
        elif first == ":" or first in "\n\r":
            if depth == 0:
                return cost
        elif first == "#" or first == "\\":
            continue
        else:
            cost += PATTERN_GROWTH**depth if depth < 20 else MAX_PATTERN_COST
        if cost > MAX_PATTERN_COST:
            return cost
    return cost
