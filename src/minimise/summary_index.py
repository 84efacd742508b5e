"""The project's summary index: every module's summary in one file, trusted while the file's stat is unchanged.

A partial scan (pre-commit on five files) needs the summaries of every other file of the project.
Reading, hashing and looking up each of them in the per-file cache costs as much as a warm full
scan; one index validated by size and modification time, as git's index is, costs one read.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from minimise.atomic import atomic_write
from minimise.discover import Target

INDEX_NAME = "summaries-v1.json"
# A summary index larger than this is not read (it is rebuilt from the per-file cache).
MAX_INDEX_BYTES = 256 * 1024 * 1024

Entry = tuple[int, int, dict[str, object] | None]


class SummaryIndex:
    """Summaries by display path, each with the size and mtime of the file it was computed from."""

    def __init__(self, directory: Path, salt: str) -> None:
        self.path = directory / INDEX_NAME
        self.salt = salt
        self.entries: dict[str, Entry] = {}
        self.changed = False
        try:
            if self.path.stat().st_size <= MAX_INDEX_BYTES:
                data = json.loads(self.path.read_text(encoding="utf-8"))
                if isinstance(data, dict) and data.get("salt") == salt and isinstance(data.get("files"), dict):
                    for display, entry in data["files"].items():
                        if (
                            isinstance(entry, list)
                            and len(entry) == 3
                            and all(isinstance(n, int) for n in entry[:2])
                            and (entry[2] is None or isinstance(entry[2], dict))
                        ):
                            self.entries[str(display)] = (entry[0], entry[1], entry[2])
        except (OSError, ValueError, RecursionError):
            self.entries = {}

    @staticmethod
    def _stamp(target: Target) -> tuple[int, int] | None:
        try:
            info = os.stat(target.path)
        except OSError:
            return None
        return info.st_size, info.st_mtime_ns

    def lookup(self, target: Target) -> tuple[bool, dict[str, object] | None]:
        """(known, summary): known is False when the file changed or was never indexed."""
        entry = self.entries.get(target.display)
        stamp = self._stamp(target)
        if entry is None or stamp is None or (entry[0], entry[1]) != stamp:
            return False, None
        return True, entry[2]

    def record(self, target: Target, summary: dict[str, object] | None) -> None:
        stamp = self._stamp(target)
        if stamp is None:
            return
        entry = (stamp[0], stamp[1], summary)
        if self.entries.get(target.display) != entry:
            self.entries[target.display] = entry
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        payload = {"salt": self.salt, "files": {k: list(v) for k, v in sorted(self.entries.items())}}
        try:
            atomic_write(self.path, json.dumps(payload, separators=(",", ":")), durable=False)
        except OSError:
            pass  # an index that cannot be written is rebuilt next time
        self.changed = False
