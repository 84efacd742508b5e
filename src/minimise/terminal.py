"""Making text from analysed code safe to print: control characters and bidi overrides escaped.

File names, identifiers and messages come from the scanned repository. Printed raw, an ESC
sequence could erase earlier findings or set the terminal title, a newline could forge a
finding (or a CI ``::error`` command), and a bidi override could make a line read differently
from what it is. :func:`printable` shows each such character as a visible escape instead.
"""

from __future__ import annotations

import re

# C0 controls and DEL, C1 controls, line/paragraph separators, bidi embeddings, overrides,
# isolates and marks, and the zero-width no-break space (BOM).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r", "\x1b": "\\x1b"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group(0)
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with every control, separator and bidi character replaced by a visible escape."""
    if not text or not _UNSAFE.search(text):
        return text
    return _UNSAFE.sub(_escape, text)
