"""Reading a source file into text: PEP 263 cookies, BOMs, binary, oversized and pathological files."""

from __future__ import annotations

import io
import re
import tokenize

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


class SourceError(Exception):
    """A file that cannot be turned into Python text; ``line`` is 0 when it concerns the whole file."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def decode_source(raw: bytes) -> str:
    """Decode like the interpreter does: BOM, then a coding cookie, then UTF-8.

    Also refuses text too deeply nested for the parser (see :func:`check_nesting`).
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
            line = raw[: cookie.start()].count(b"\n") + 1
            raise SourceError(f"bad coding cookie: {exc.msg if hasattr(exc, 'msg') else exc}", line) from None
        encoding = "utf-8"  # no cookie: the first lines are simply not UTF-8; say where below
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        line = raw[: getattr(exc, "start", 0)].count(b"\n") + 1
        reason = getattr(exc, "reason", str(exc))
        advice = "add a PEP 263 coding line or re-save as UTF-8"
        raise SourceError(f"cannot decode as {encoding}: {reason}; {advice}", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    check_nesting(text)
    return text


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
    for token in tokenize.generate_tokens(io.StringIO(text).readline):
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
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.ERRORTOKEN and not token.string.isspace():
                return token.start[0]
    except tokenize.TokenError as exc:
        position = exc.args[1] if len(exc.args) > 1 else None
        return position[0] if isinstance(position, tuple) and position else None
    except SyntaxError as exc:  # Python 3.12+: the C tokenizer raises SyntaxError
        return exc.lineno
    except RecursionError:
        return None
    return None
