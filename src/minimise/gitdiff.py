"""Which lines changed since a git revision: ``git diff --unified=0 REF`` plus untracked files."""

from __future__ import annotations

import re
from pathlib import Path

from minimise.git import GitError, run_git, top_level, verify_commit

__all__ = ["GitError", "changed_lines", "parse_diff", "repository_root"]

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


def repository_root(cwd: Path) -> Path:
    return top_level(cwd)


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual file names (``"a\\tb.py"``)."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    body = path[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt in "01234567" and i + 3 < len(body) + 1 and re.match(r"[0-7]{3}", body[i + 1 : i + 4]):
                out.append(int(body[i + 1 : i + 4], 8))
                i += 4
                continue
            out.extend(_ESCAPES.get(nxt, nxt).encode("utf-8", "surrogateescape"))
            i += 2
            continue
        out.extend(ch.encode("utf-8", "surrogateescape"))
        i += 1
    return out.decode("utf-8", "surrogateescape")


def parse_diff(text: str) -> dict[str, set[int]]:
    """Repository-relative path -> added or changed line numbers (new side) of a ``--unified=0`` diff."""
    changed: dict[str, set[int]] = {}
    current: set[int] | None = None
    for line in text.splitlines():
        if line.startswith("+++ "):
            name = line[4:].rstrip("\t")
            if name == "/dev/null":
                current = None  # deleted file
                continue
            name = _unquote(name)
            if name.startswith("b/"):
                name = name[2:]
            current = changed.setdefault(name, set())
            continue
        if current is None or not line.startswith("@@"):
            continue
        match = _HUNK.match(line)
        if match is None:
            continue
        start = int(match.group(1))
        count = int(match.group(2)) if match.group(2) is not None else 1
        current.update(range(start, start + count))
    return changed


def changed_lines(ref: str, cwd: Path) -> tuple[Path, dict[str, set[int] | None]]:
    """(repository root, path -> changed lines); ``None`` lines mean the whole file is new (untracked)."""
    root = repository_root(cwd)
    try:
        commit = verify_commit(root, ref)
    except GitError as exc:
        raise GitError(str(exc).replace("unknown revision", "unknown git revision", 1)) from None
    diff = run_git(
        [
            "diff",
            "--unified=0",
            "--no-color",
            "--no-ext-diff",
            "--no-textconv",
            "--no-renames",
            "--diff-filter=d",
            commit,
            "--",
        ],
        root,
    ).decode("utf-8", "surrogateescape")
    result: dict[str, set[int] | None] = {path: lines for path, lines in parse_diff(diff).items() if lines}
    untracked = run_git(["ls-files", "--others", "--exclude-standard", "-z", "--"], root)
    for name in untracked.decode("utf-8", "surrogateescape").split("\0"):
        if name:
            result[name] = None
    return root, result
