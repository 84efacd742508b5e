"""The result cache's entry format: FileResults to JSON and back, with every value read back checked.

A cache folder is data anyone with write access to it may have edited, so nothing read from it
is trusted: an entry must have exactly the expected shape, name the file it was computed for,
and stay within the sizes a real result has; anything else is a miss and the file is analysed
again. Text that quotes the analysed code (explain traces, messages, suppression reasons) is
stored masked, so literals from the code never reach the disk in clear.
"""

from __future__ import annotations

from typing import Any

from minimise.model import ACTIONS, PROTECTIONS, DataPoint, FileResult, ScanError, Step
from minimise.redact import redact_text

ENTRY_VERSION = 2
MAX_ENTRY_BYTES = 8 * 1024 * 1024
MAX_POINTS = 20_000
MAX_STEPS = 200
MAX_TRACE = 50
MAX_SUPPRESSIONS = 20_000
MAX_TEXT = 4_000
MAX_LINE = 10_000_000
MAX_SUMMARY_DEPTH = 32
MAX_SUMMARY_NODES = 200_000
_ACTIONS = frozenset(ACTIONS)
_PROTECTIONS = frozenset(PROTECTIONS)


class BadEntry(Exception):
    """A cache entry that is not exactly what this version writes."""


def result_to_json(result: FileResult) -> dict[str, object]:
    return {
        "v": ENTRY_VERSION,
        "path": result.path,
        "points": [
            [
                p.line,
                p.column,
                p.action,
                p.category,
                p.sensitivity,
                redact_text(p.identifier),
                p.via,
                p.protection,
                p.scope,
                p.sink_kind,
                [],  # explain traces quote the code; only `minimise explain` shows them, uncached
                [[step.path, step.line, redact_text(step.message)] for step in p.steps],
                p.expires,
            ]
            for p in result.data_points
        ],
        "error": ([result.error.path, result.error.line, redact_text(result.error.message)] if result.error else None),
        "suppressions": [[s[0], list(s[1]), redact_text(s[2])] for s in result.suppressions],
        "summary": result.summary,
    }


def result_from_json(data: object, expected_path: str) -> FileResult:
    """The FileResult an entry holds, or BadEntry if anything about it is not as written."""
    entry = _mapping(data, {"v", "path", "points", "error", "suppressions", "summary"})
    if entry["v"] != ENTRY_VERSION or entry["path"] != expected_path:
        raise BadEntry("version or path")
    path = expected_path
    points = tuple(_point(path, raw) for raw in _list(entry["points"], MAX_POINTS))
    error = None
    if entry["error"] is not None:
        error_path, line, message = _list(entry["error"], 3, exact=3)
        if error_path != path:
            raise BadEntry("error path")
        error = ScanError(path, _int(line, 0), _text(message))
    suppressions = tuple(_suppression(raw) for raw in _list(entry["suppressions"], MAX_SUPPRESSIONS))
    summary = entry["summary"]
    if summary is not None:
        if not isinstance(summary, dict):
            raise BadEntry("summary")
        _check_json(summary, 0, [0])
    return FileResult(path, points, error, suppressions, summary)


def _point(path: str, raw: object) -> DataPoint:
    fields = _list(raw, 13)
    if len(fields) == 12:
        fields = [*fields, ""]  # written before points carried a cache's time to live
    elif len(fields) != 13:
        raise BadEntry("point")
    action, protection = fields[2], fields[7]
    if action not in _ACTIONS or protection not in _PROTECTIONS:
        raise BadEntry("action or protection")
    return DataPoint(
        path,
        _int(fields[0], 1),
        _int(fields[1], 0),
        action,
        _text(fields[3]),
        _text(fields[4]),
        _text(fields[5]),
        _text(fields[6]),
        protection,
        _text(fields[8]),
        _text(fields[9]),
        tuple(_text(t) for t in _list(fields[10], MAX_TRACE)),
        tuple(_step(s) for s in _list(fields[11], MAX_STEPS)),
        _text(fields[12]),
    )


def _step(raw: object) -> Step:
    step_path, line, message = _list(raw, 3, exact=3)
    step_path = _text(step_path)
    parts = step_path.split("/")
    # A step names a module of the scanned project: relative, inside it, no NULs.
    if not step_path or step_path.startswith(("/", "\\")) or ".." in parts or "\0" in step_path or ":" in parts[0]:
        raise BadEntry("step path")
    return Step(step_path, _int(line, 0), _text(message))


def _suppression(raw: object) -> tuple[int, tuple[str, ...], str]:
    line, codes, reason = _list(raw, 3, exact=3)
    return _int(line, 1), tuple(_text(c) for c in _list(codes, 100)), _text(reason)


def _mapping(value: object, keys: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) != keys:
        raise BadEntry("shape")
    return value


def _list(value: object, limit: int, exact: int | None = None) -> list[Any]:
    if not isinstance(value, list) or len(value) > limit or (exact is not None and len(value) != exact):
        raise BadEntry("list")
    return value


def _int(value: object, minimum: int) -> int:
    if type(value) is not int or not minimum <= value <= MAX_LINE:
        raise BadEntry("int")
    return value


def _text(value: object) -> str:
    if type(value) is not str or len(value) > MAX_TEXT:
        raise BadEntry("text")
    return value


def _check_json(value: object, depth: int, count: list[int]) -> None:
    """A JSON value of bounded depth and size (the module summary is opaque to the cache)."""
    count[0] += 1
    if depth > MAX_SUMMARY_DEPTH or count[0] > MAX_SUMMARY_NODES:
        raise BadEntry("summary size")
    if isinstance(value, dict):
        for key, item in value.items():
            if type(key) is not str:
                raise BadEntry("summary key")
            _check_json(item, depth + 1, count)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1, count)
    elif value is not None and type(value) not in (str, int, float, bool):
        raise BadEntry("summary value")
