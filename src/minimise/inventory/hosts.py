"""The host of a literal URL an outbound HTTP call sends personal data to, read from the source.

Only literal text counts: ``"https://api.hubapi.com/..."``, an f-string or ``+`` whose fixed
start holds the whole host, or a module-level constant holding such a string. Anything
computed gives no host, and the destination stays the sink id.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from minimise.model import DataPoint

MAX_SOURCE_BYTES = 4 * 1024 * 1024
# Sink kinds of outbound HTTP data points (rules/sinks.yaml: kind http; url when in the URL).
HTTP_KINDS = frozenset({"http", "url"})
_URL_KEYWORDS = ("url", "uri", "endpoint")


def _literal_prefix(node: ast.expr, constants: dict[str, str]) -> tuple[str, bool]:
    """The fixed text at the start of an expression, and whether that is the whole value."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id], True
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if isinstance(part, ast.Constant) and isinstance(part.value, str):
                text += part.value
            else:
                return text, False
        return text, True
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, whole = _literal_prefix(node.left, constants)
        if not whole:
            return left, False
        right, right_whole = _literal_prefix(node.right, constants)
        return left + right, right_whole
    return "", False


def host_of(text: str, whole: bool) -> str:
    """The host of ``text`` when the fixed text names it completely, else ""."""
    scheme, sep, rest = text.partition("://")
    if not sep or scheme.lower() not in ("http", "https"):
        return ""
    if not whole and not any(c in rest for c in "/?#"):
        return ""  # the host itself continues in computed text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return ""
    return host if host and "{" not in host else ""


def _module_constants(tree: ast.Module) -> dict[str, str]:
    out: dict[str, str] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            value = stmt.value
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                out[stmt.targets[0].id] = value.value
    return out


def _call_hosts(tree: ast.Module) -> list[tuple[int, int, str]]:
    """(first line, last line, host) of every call whose URL argument names a host."""
    constants = _module_constants(tree)
    found: list[tuple[int, int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        candidates = list(node.args[:2]) + [k.value for k in node.keywords if k.arg in _URL_KEYWORDS]
        for arg in candidates:
            host = host_of(*_literal_prefix(arg, constants))
            if host:
                found.append((node.lineno, node.end_lineno or node.lineno, host))
                break
    return found


def _read(path: Path) -> ast.Module | None:
    try:
        if not path.is_file() or path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return ast.parse(path.read_bytes())
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def literal_hosts(points: Iterable[DataPoint], root: Path | None) -> dict[DataPoint, str]:
    """The host each outbound HTTP data point sends to, for the points a literal URL names."""
    if root is None:
        return {}
    by_file: dict[str, list[DataPoint]] = {}
    for point in points:
        if point.action == "share" and point.sink_kind in HTTP_KINDS:
            by_file.setdefault(point.path, []).append(point)
    out: dict[DataPoint, str] = {}
    for rel, file_points in by_file.items():
        tree = _read(root / rel)
        if tree is None:
            continue
        calls = _call_hosts(tree)
        for point in file_points:
            # The innermost call around the point's line: the one sending it.
            around = [c for c in calls if c[0] <= point.line <= c[1]]
            if around:
                out[point] = min(around, key=lambda c: (c[1] - c[0], -c[0]))[2]
    return out
