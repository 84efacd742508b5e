"""Source lines of reported files for excerpts and snippets: read once each, masked by callers."""

from __future__ import annotations

import os
from pathlib import Path

MAX_LINE = 400


class Sources:
    """Lines of the files a report names, read relative to the scan root; unreadable files give None."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self.cache:
            self.cache[path] = self._read(path)
        return self.cache[path]

    def line(self, path: str, number: int) -> str | None:
        lines = self.lines(path)
        if lines is None or not 1 <= number <= len(lines):
            return None
        return lines[number - 1]

    def _read(self, path: str) -> list[str] | None:
        from minimise.source import MAX_SOURCE_BYTES, SourceError, decode_source, split_lines

        file = Path(path) if os.path.isabs(path) else self.root / path
        try:
            if file.stat().st_size > MAX_SOURCE_BYTES:
                return None
            raw = file.read_bytes()
        except (OSError, ValueError):
            return None
        try:
            text = decode_source(raw)
        except SourceError:
            text = raw.decode("utf-8", errors="replace")
        return split_lines(text)  # lines as Python counts them: a form feed is no line break


def clip(text: str) -> str:
    """A line cut to a length a report can show."""
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + " …"
