"""Finding the Python files to scan: walking paths, honouring .gitignore and skipping vendored code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SKIP_DIRS = frozenset({
    ".git", ".hg", ".svn", ".venv", "venv", "env", ".env", ".tox", ".nox", "site-packages",
    "node_modules", "__pycache__", "build", "dist", ".eggs", ".mypy_cache", ".pytest_cache",
    ".ruff_cache", "migrations", ".minimise_cache", "vendor", "third_party", ".direnv",
})


@dataclass(frozen=True)
class Target:
    """A file to scan, with the path reports show (relative to the scan root, '/'-separated)."""

    path: Path
    display: str


def _is_venv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def _gitignore_spec(root: Path) -> object | None:
    try:
        import pathspec
    except ImportError:  # pragma: no cover - pathspec is a dependency
        return None
    lines: list[str] = []
    ignore = root / ".gitignore"
    if ignore.is_file():
        try:
            lines = ignore.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            lines = []
    if not lines:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def discover(
    paths: list[Path],
    root: Path,
    include_migrations: bool = False,
    follow_symlinks: bool = False,
    exclude: tuple[str, ...] = (),
) -> Iterator[Target]:
    """Yield .py files under ``paths`` in sorted order, each once."""
    skip = set(SKIP_DIRS)
    if include_migrations:
        skip.discard("migrations")
    spec = _gitignore_spec(root)
    exclude_spec = None
    if exclude:
        import pathspec

        exclude_spec = pathspec.GitIgnoreSpec.from_lines(list(exclude))
    seen: set[str] = set()
    root_resolved = root.resolve()
    for start in paths:
        if start.is_file() or (start.is_symlink() and not start.is_dir()):
            yield from _one(start, root, seen)
            continue
        for directory, dirnames, filenames in os.walk(start, followlinks=follow_symlinks):
            here = Path(directory)
            kept = []
            for d in sorted(dirnames):
                sub = here / d
                if d in skip or d.endswith(".egg-info") or _is_venv(sub):
                    continue
                if not follow_symlinks and sub.is_symlink():
                    continue
                rel = _relative(sub, root)
                if spec is not None and spec.match_file(rel + "/"):  # type: ignore[attr-defined]
                    continue
                if exclude_spec is not None and exclude_spec.match_file(rel + "/"):
                    continue
                if follow_symlinks and not sub.resolve().is_relative_to(root_resolved):
                    continue
                kept.append(d)
            dirnames[:] = kept
            for name in sorted(filenames):
                if not name.endswith(".py"):
                    continue
                file_path = here / name
                rel = _relative(file_path, root)
                if spec is not None and spec.match_file(rel):  # type: ignore[attr-defined]
                    continue
                if exclude_spec is not None and exclude_spec.match_file(rel):
                    continue
                if file_path.is_symlink() and not follow_symlinks:
                    continue
                yield from _one(file_path, root, seen)


def _relative(path: Path, root: Path) -> str:
    try:
        return path.absolute().relative_to(root.absolute()).as_posix()
    except ValueError:
        return path.as_posix()


def _one(path: Path, root: Path, seen: set[str]) -> Iterator[Target]:
    display = _relative(path, root)
    if display in seen:
        return
    seen.add(display)
    yield Target(path, display)


def module_name(display: str) -> str:
    """``app/views.py`` -> ``app.views``; ``pkg/__init__.py`` -> ``pkg``; ``src/`` is dropped."""
    parts = display[:-3].split("/") if display.endswith(".py") else display.split("/")
    if parts and parts[0] == "src" and len(parts) > 1:
        parts = parts[1:]
    if parts and parts[-1] == "__init__" and len(parts) > 1:
        parts = parts[:-1]
    return ".".join(p for p in parts if p not in ("", ".", ".."))
