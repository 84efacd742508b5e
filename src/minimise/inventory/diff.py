"""Reading a git revision's files for `minimise inventory diff` (compared in inventory/changes.py).

The revision's files are read with ``git ls-tree`` and ``git cat-file --batch`` into a temporary
folder: the working tree, the index and the stash are never touched.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from minimise.git import GitError, iter_blobs, run_git, verify_commit

# Files a scan of the revision needs: Python sources, ignore rules and the inventory.
_EXPORT_NAMES = {".gitignore", "pyproject.toml"}
_EXPORT_SUFFIXES = (".py",)
MAX_EXPORT_FILE = 8 * 1024 * 1024


def _git(cwd: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    return run_git(args, cwd, stdin=input_bytes)


def repo_top(start: Path) -> Path:
    folder = start if start.is_dir() else start.parent
    return Path(_git(folder.resolve(), "rev-parse", "--show-toplevel").decode().strip()).resolve()


def resolve_commit(top: Path, ref: str) -> str:
    return verify_commit(top, ref)


def _wanted(path: str, extra: set[str]) -> bool:
    name = path.rsplit("/", 1)[-1]
    return path in extra or name in _EXPORT_NAMES or path.endswith(_EXPORT_SUFFIXES)


def export_tree(top: Path, commit: str, dest: Path, pathspecs: list[str], extra: set[str]) -> int:
    """Write the revision's wanted files under ``pathspecs`` into ``dest``; returns the file count."""
    # ``commit`` is a verified object id (resolve_commit), so it cannot be read as an option.
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
    paths_of: dict[str, list[str]] = {}
    for sha, path in wanted:
        paths_of.setdefault(sha, []).append(path)
    # Streamed one blob at a time: a huge file in the revision costs no more memory than the limit.
    for sha, body in iter_blobs(top, list(paths_of), MAX_EXPORT_FILE):
        if body is None:
            continue
        for path in paths_of[sha]:
            target = dest.joinpath(*PurePosixPath(path).parts)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
            except OSError:
                continue  # a name this file system cannot hold (too long): not exported
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
