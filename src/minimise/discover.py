"""Finding the Python files to scan: walking paths, honouring .gitignore, skipping vendored and test code.

Inside a git work tree git itself says which files it does not ignore (every nested
``.gitignore``, ``.git/info/exclude`` and the global excludes file, exactly as git reads them);
elsewhere the root ``.gitignore`` is read. Test code (``minimise.testcode``: test folders,
``test_*.py``, ``*_test.py``, ``tests.py``, ``conftest.py``, fixture and factory modules) found
while walking a folder is left out when ``include_tests`` is false (as the scan session asks by
default); a file named explicitly is always analysed, as in ruff.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from minimise.model import ScanError
from minimise.testcode import is_test_path

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        "env",
        ".env",
        ".tox",
        ".nox",
        "site-packages",
        "node_modules",
        "__pycache__",
        "build",
        "dist",
        ".eggs",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "migrations",
        ".minimise_cache",
        "vendor",
        "third_party",
        ".direnv",
    }
)


@dataclass(frozen=True)
class Target:
    """A file to scan, with the path reports show (relative to the scan root, '/'-separated)."""

    path: Path
    display: str


def _is_venv(directory: Path) -> bool:
    try:
        return (directory / "pyvenv.cfg").is_file()
    except OSError:  # an unreadable folder: os.walk reports it (once) when it tries to enter
        return False


def _is_alembic(directory: Path) -> bool:
    """Whether ``directory`` is an Alembic environment, whose ``versions/`` folder holds migrations."""
    try:
        return directory.name == "alembic" or (directory / "script.py.mako").is_file()
    except OSError:
        return False


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


class _GitListing:
    """The files git does not ignore under one folder (``git ls-files -co --exclude-standard``)."""

    def __init__(self, files: set[str]) -> None:
        self.files = files
        self.folders = {"/".join(f.split("/")[:i]) for f in files for i in range(1, f.count("/") + 1)}

    def keeps_folder(self, relative: str) -> bool:
        return relative in self.folders

    def keeps_file(self, relative: str) -> bool:
        return relative in self.files


def _inside_git(folder: Path) -> bool:
    here = folder.absolute()
    return any((directory / ".git").exists() for directory in (here, *here.parents))


def _git_listing(folder: Path) -> _GitListing | None:
    """What git keeps under ``folder``, or None outside a work tree or without git."""
    if not _inside_git(folder):
        return None
    from minimise.git import GitError, run_git

    try:  # run_git never runs a program the scanned repository configures (fsmonitor, filters, hooks)
        listed = run_git(["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."], folder)
    except (GitError, OSError):
        return None
    names = listed.decode("utf-8", "surrogateescape").split("\0")
    return _GitListing({name for name in names if name})


def discover(
    paths: list[Path],
    root: Path,
    include_migrations: bool = False,
    follow_symlinks: bool = False,
    exclude: tuple[str, ...] = (),
    problems: list[ScanError] | None = None,
    include_tests: bool = True,
    tests_left_out: list[str] | None = None,
) -> Iterator[Target]:
    """Yield .py files under ``paths`` in sorted order, each once.

    Only regular files are yielded: a FIFO, socket or device named ``*.py`` would block
    or fail when read. Symbolic links are skipped unless ``follow_symlinks``, and then
    followed only when they resolve inside ``root``; link loops are cut. What is skipped
    for a reason the user may not expect (unreadable folder, special file, link loop,
    link out of the root) is appended to ``problems`` when given.
    """
    skip = set(SKIP_DIRS)
    if include_migrations:
        skip.discard("migrations")
    # Read only for folders git does not list: in a work tree git applies every ignore file itself.
    root_spec: list[object | None] = []
    exclude_spec = None
    if exclude:
        import pathspec

        exclude_spec = pathspec.GitIgnoreSpec.from_lines(list(exclude))
    seen: set[str] = set()
    seen_real: set[Path] = set()
    root_resolved = root.resolve()

    def note(path: Path, message: str) -> None:
        if problems is not None:
            problems.append(ScanError(_relative(path, root), 0, message))

    def link_problem(path: Path) -> str | None:
        """Why the symbolic link ``path`` is not followed, or None when it leads inside the root."""
        try:
            if path.resolve().is_relative_to(root_resolved):
                return None
        except RuntimeError:  # a link loop, before Python 3.13
            return "symbolic link loop; not followed"
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                return "symbolic link loop; not followed"
            return f"cannot read: {exc.strerror or exc}"
        return "symbolic link points outside the scan root; not followed"

    def regular(path: Path) -> bool:
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            if path.is_symlink():
                note(path, "broken symbolic link; skipped")
            return False
        except OSError as exc:
            note(
                path,
                "symbolic link loop; skipped" if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror or exc}",
            )
            return False
        if stat.S_ISREG(mode):
            return True
        if not stat.S_ISDIR(mode):
            note(path, f"not a regular file ({_kind(mode)}); skipped")
        return False

    for start in paths:
        if not start.is_dir():  # follows links: a link to a folder named explicitly is walked
            if regular(start):
                yield from _one(start, root, seen, seen_real if follow_symlinks else None)
            continue
        visited: set[tuple[int, int]] = set()
        listing = _git_listing(start)
        if listing is None and not root_spec:
            root_spec.append(_gitignore_spec(root))
        folder_spec = None if listing is not None else root_spec[0]

        def walk_error(exc: OSError, start: Path = start) -> None:
            note(Path(exc.filename) if exc.filename else start, f"cannot read folder: {exc.strerror or exc}")

        def keeps_folder(
            here: Path,
            d: str,
            start: Path = start,
            listing: _GitListing | None = listing,
            folder_spec: object | None = folder_spec,
        ) -> bool:
            sub = here / d
            if d in skip or d.endswith(".egg-info") or _is_venv(sub):
                return False
            if d == "versions" and "migrations" in skip and _is_alembic(here):
                return False  # alembic/versions: migrations, like Django's migrations/ folder
            if sub.is_symlink():
                if not follow_symlinks:
                    return False
                problem = link_problem(sub)
                if problem is not None:
                    note(sub, problem)
                    return False
            rel = _relative(sub, root)
            if folder_spec is not None and folder_spec.match_file(rel + "/"):  # type: ignore[attr-defined]
                return False
            if listing is not None and not listing.keeps_folder(_relative(sub, start)):
                return False
            return not (exclude_spec is not None and exclude_spec.match_file(rel + "/"))

        def kept_file(
            file_path: Path,
            below: str,
            listing: _GitListing | None = listing,
            folder_spec: object | None = folder_spec,
        ) -> Iterator[Target]:
            rel = _relative(file_path, root)
            if folder_spec is not None and folder_spec.match_file(rel):  # type: ignore[attr-defined]
                return
            if listing is not None and not listing.keeps_file(below):
                return
            if exclude_spec is not None and exclude_spec.match_file(rel):
                return
            if not include_tests and is_test_path(below):
                if tests_left_out is not None and regular(file_path):
                    tests_left_out.append(rel)
                return
            if file_path.is_symlink():
                if not follow_symlinks:
                    return
                problem = link_problem(file_path)
                if problem is not None:
                    note(file_path, problem)
                    return
            if regular(file_path):
                yield from _one(file_path, root, seen, seen_real if follow_symlinks else None)

        listed = _listed_python_files(start, listing) if listing is not None and not follow_symlinks else None
        if listed is not None:
            # git has listed the tree: walk only the folders that hold its Python files, in os.walk's order.
            folder_kept: dict[str, bool] = {"": True}
            for below in listed:
                parent, _, _name = below.rpartition("/")
                if _folder_kept(start, parent, folder_kept, keeps_folder):
                    yield from kept_file(start / below, below)
            continue
        for directory, dirnames, filenames in os.walk(start, followlinks=follow_symlinks, onerror=walk_error):
            here = Path(directory)
            if follow_symlinks:
                try:
                    info = here.stat()
                except OSError:
                    dirnames[:] = []
                    continue
                if (info.st_dev, info.st_ino) in visited:
                    note(here, "symbolic link loop; not followed again")
                    dirnames[:] = []
                    continue
                visited.add((info.st_dev, info.st_ino))
            dirnames[:] = [d for d in sorted(dirnames) if keeps_folder(here, d)]
            # Real files before links in the same folder, so a linked file is shown by its own name.
            for file_path in sorted(
                (here / n for n in filenames if n.endswith(".py")), key=lambda p: (p.is_symlink(), p.name)
            ):
                yield from kept_file(file_path, _relative(file_path, start))


def _listed_python_files(start: Path, listing: _GitListing) -> list[str] | None:
    """The ``.py`` files git lists under ``start``, in the order os.walk would reach them; None when
    a folder on the way cannot be read (the walk then names it as a problem)."""
    names = [name for name in listing.files if name.endswith(".py")]
    folders = {name.rpartition("/")[0] for name in names}
    for folder in folders:
        if folder and not os.access(os.path.join(start, folder), os.R_OK | os.X_OK):
            return None
    # os.walk with sorted folders: a folder's own files, then each subfolder's, by name.
    return sorted(names, key=lambda name: [(1, part) for part in name.split("/")[:-1]] + [(0, name.rsplit("/", 1)[-1])])


def _folder_kept(start: Path, folder: str, verdicts: dict[str, bool], keeps: Callable[[Path, str], bool]) -> bool:
    """Whether the walk enters ``folder`` (relative to ``start``): it and every folder above it kept."""
    verdict = verdicts.get(folder)
    if verdict is None:
        parent, _, name = folder.rpartition("/")
        verdict = _folder_kept(start, parent, verdicts, keeps) and keeps(start / parent if parent else start, name)
        verdicts[folder] = verdict
    return verdict


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "named pipe"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def _relative(path: Path, root: Path) -> str:
    # Normalised once here, so `R/sub/../a.py` and `R/a.py` are one file, scanned once. String
    # operations, not pathlib: this runs for every file and folder of the tree on every run.
    full = os.path.abspath(path)
    base = os.path.abspath(root)
    prefix = base if base.endswith(os.sep) else base + os.sep
    if os.path.normcase(full) == os.path.normcase(base):
        shown = "."
    elif os.path.normcase(full).startswith(os.path.normcase(prefix)):
        shown = full[len(prefix) :].replace(os.sep, "/")
    else:
        shown = path.as_posix()
    # Undecodable bytes in a file name (kept by Python as lone surrogates) cannot be
    # printed or written as UTF-8 JSON; show them as U+FFFD instead.
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _one(path: Path, root: Path, seen: set[str], seen_real: set[Path] | None = None) -> Iterator[Target]:
    display = _relative(path, root)
    if display in seen:
        return
    if seen_real is not None:
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            real = path.absolute()
        if real in seen_real:
            return
        seen_real.add(real)
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
