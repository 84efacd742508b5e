"""The per-file result cache: entries keyed by content, analyser and rules, written atomically."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING

from minimise import __version__
from minimise.atomic import atomic_write
from minimise.model import DataPoint, FileResult, ScanError, Step

if TYPE_CHECKING:
    from minimise.engine import EngineOptions
    from minimise.knowledge import Knowledge


class ResultCache:
    """Per-file results keyed by content hash, tool version, rules and options; JSON, written atomically."""

    def __init__(self, directory: Path, options: EngineOptions, knowledge: Knowledge) -> None:
        self.directory = directory
        salt = f"{__version__}\0{knowledge.fingerprint}\0{options.prefilter}\0{options.non_personal}"
        self.salt = hashlib.sha256(salt.encode()).hexdigest()[:16]

    def key(self, raw: bytes, display: str) -> str:
        digest = hashlib.sha256()
        digest.update(self.salt.encode())
        digest.update(display.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> FileResult | None:
        try:
            data = json.loads(self._path(key).read_text(encoding="utf-8"))
            return _result_from_json(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def put(self, key: str, result: FileResult) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tag = self.directory / "CACHEDIR.TAG"
            if not tag.exists():
                atomic_write(tag, "Signature: 8a477f597d28d172789f06886806bc55\n# minimise cache; safe to delete.\n")
            # No fsync: a cache entry lost to a power cut is simply recomputed; the rename
            # still guarantees that no reader ever sees half an entry.
            atomic_write(path, json.dumps(_result_to_json(result), separators=(",", ":")), durable=False)
        except OSError:
            pass


def _result_to_json(result: FileResult) -> dict[str, object]:
    return {
        "path": result.path,
        "points": [
            [
                p.line,
                p.column,
                p.action,
                p.category,
                p.sensitivity,
                p.identifier,
                p.via,
                p.protection,
                p.scope,
                p.sink_kind,
                list(p.trace),
                [[step.path, step.line, step.message] for step in p.steps],
            ]
            for p in result.data_points
        ],
        "error": result.error.to_json() if result.error else None,
        "suppressions": [[s[0], list(s[1]), s[2]] for s in result.suppressions],
        "summary": result.summary,
    }


def _result_from_json(data: dict[str, object]) -> FileResult:
    path = str(data["path"])
    points = tuple(
        DataPoint(
            path,
            int(p[0]),
            int(p[1]),
            p[2],
            p[3],
            p[4],
            p[5],
            p[6],
            p[7],
            p[8],
            p[9],
            tuple(p[10]),
            tuple(Step(str(s[0]), int(s[1]), str(s[2])) for s in p[11]),
        )
        for p in data["points"]  # type: ignore[attr-defined]
    )
    error_data = data.get("error")
    error = (
        ScanError(str(error_data["path"]), int(error_data["line"]), str(error_data["message"]))
        if isinstance(error_data, dict)
        else None
    )
    suppressions = tuple(
        (int(s[0]), tuple(s[1]), str(s[2]))
        for s in data.get("suppressions") or []  # type: ignore[attr-defined]
    )
    summary = data.get("summary")
    return FileResult(path, points, error, suppressions, summary if isinstance(summary, dict) else None)
