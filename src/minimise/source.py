"""Reading a source file into text: PEP 263 cookies, BOMs, binary and oversized files."""

from __future__ import annotations

import io
import tokenize

MAX_SOURCE_BYTES = 20 * 1024 * 1024


class SourceError(Exception):
    """A file that cannot be turned into Python text; ``line`` is 0 when it concerns the whole file."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.line = line


def decode_source(raw: bytes) -> str:
    """Decode like the interpreter does: BOM, then a coding cookie, then UTF-8."""
    if not raw.strip():
        raise SourceError("empty file")
    if b"\0" in raw:
        raise SourceError("binary file (contains NUL bytes), not Python source")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:
        raise SourceError(f"bad coding cookie: {exc.msg if hasattr(exc, 'msg') else exc}", 1) from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        line = raw[: getattr(exc, "start", 0)].count(b"\n") + 1
        reason = getattr(exc, "reason", str(exc))
        raise SourceError(f"cannot decode as {encoding}: {reason}; add a PEP 263 coding line or re-save as UTF-8", line) from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return text
