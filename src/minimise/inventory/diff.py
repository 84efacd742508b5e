"""Reading a git revision's files for `minimise inventory diff` (compared in inventory/changes.py).

The revision's files are read with ``git ls-tree`` and ``git cat-file --batch`` into a temporary
folder: the working tree, the index and the stash are never touched.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

# Files a scan of the revision needs: Python sources, ignore rules and the inventory.
_EXPORT_NAMES = {".gitignore", "pyproject.toml"}
_EXPORT_SUFFIXES = (".py",)
MAX_EXPORT_FILE = 8 * 1024 * 1024


class GitError(Exception):
    """git is missing, the folder is not a repository, or the revision does not exist."""


def _git(cwd: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    env = dict(os.environ, GIT_OPTIONAL_LOCKS="0", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    try:
        done = subprocess.run(
            ["git", *args], cwd=str(cwd), input=input_bytes, capture_output=True, env=env, check=False
        )
    except FileNotFoundError:
        raise GitError("git is not installed or not on PATH") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(message[-1] if message else f"git {args[0]} failed")
    return done.stdout


def repo_top(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    return Path(_git(folder.resolve(), "rev-parse", "--show-toplevel").decode().strip()).resolve()


def resolve_commit(top: Path, ref: str) -> str:
    if not ref or ref.startswith("-"):
        raise GitError(f"invalid revision {ref!r}")
    try:
        return _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", ref + "^{commit}").decode().strip()
    except GitError:
        raise GitError(f"unknown revision {ref!r}: no such branch, tag or commit") from None


def _wanted(path: str, extra: set[str]) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path in extra or name in _EXPORT_NAMES or path.endswith(_EXPORT_SUFFIXES)


def export_tree(top: Path, commit: str, dest: Path, pathspecs: list[str], extra: set[str]) -> int:
    """Write the revision's wanted files under ``pathspecs`` into ``dest``; returns the file count."""
    listing = _git(top, "ls-tree", "-r", "-z", "--full-tree", commit, "--", *pathspecs)
    wanted: list[tuple[str, str]] = []
    for record in listing.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode().split(" ")
        path = raw_path.decode("utf-8", "surrogateescape")
        if kind != "blob" or mode not in ("100644", "100755") or not _wanted(path, extra):
            continue
        parts = PurePosixPath(path).parts
        if PurePosixPath(path).is_absolute() or ".." in parts or ".git" in parts:
            continue
        wanted.append((sha, path))
    if not wanted:
        return 0
    batch = _git(top, "cat-file", "--batch", input_bytes="".join(f"{sha}\n" for sha, _ in wanted).encode())
    offset = 0
    for sha, path in wanted:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].decode().split(" ")
        if len(header) != 3 or header[0] != sha:
            raise GitError(f"unexpected output from git cat-file for {path}")
        size = int(header[2])
        body = batch[end + 1 : end + 1 + size]
        offset = end + 1 + size + 1
        if size > MAX_EXPORT_FILE:
            continue
        target = dest.joinpath(*PurePosixPath(path).parts)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(body)
    return len(wanted)


@contextmanager
def checkout_to_temp(
    paths: list[Path], root: Path, ref: str, inventory: Path | None
) -> Iterator[tuple[list[Path], Path, Path | None, str]]:
    """The revision's copy of ``paths``/``root``/``inventory`` in a temporary folder, and the commit."""
    top = repo_top(root)
    commit = resolve_commit(top, ref)

    def rel(path: Path) -> str:
        try:
            return path.resolve().relative_to(top).as_posix()
        except ValueError:
            raise GitError(f"{path} is outside the git repository {top}") from None

    specs = sorted({rel(p) for p in paths})
    pathspecs = [] if "." in specs else [":(top,literal)" + s for s in specs]
    extra: set[str] = set()
    inventory_rel = rel(inventory) if inventory is not None else None
    if inventory_rel:
        extra.add(inventory_rel)
    root_rel = rel(root)
    if root_rel != ".":
        extra.add(f"{root_rel}/.gitignore")
    with tempfile.TemporaryDirectory(prefix="minimise-base-") as tmp:
        base = Path(tmp)
        export_tree(top, commit, base, pathspecs, extra)
        if pathspecs:
            extras = sorted(p for p in extra if p != ".")
            if extras:
                export_tree(top, commit, base, [":(top,literal)" + p for p in extras], extra)
        base_paths = [base / s if s != "." else base for s in specs]
        base_root = base / root_rel if root_rel != "." else base
        base_root.mkdir(parents=True, exist_ok=True)
        base_inventory = (base / inventory_rel) if inventory_rel else None
        if base_inventory is not None and not base_inventory.is_file():
            base_inventory = None
        yield [p for p in base_paths if p.exists()], base_root, base_inventory, commit
