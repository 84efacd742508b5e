"""The per-file result cache: where it lives, what its keys cover, reading, writing and pruning it.

The cache is never taken from the scanned tree on trust. By default it lives in the user's
cache folder (``$XDG_CACHE_HOME/minimise/<project digest>``, else ``~/.cache/minimise/...``);
a folder inside the project is used only when configured, and never when git tracks it (a
committed cache would let whoever pushes decide the results). Keys cover the file's bytes and
path, the analyser's own code, the rules and a secret kept in the user's cache folder, so
entries cannot be computed by someone else; entries read back are checked by
:mod:`minimise.cache_entry`.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from minimise import __version__
from minimise.atomic import atomic_write

if TYPE_CHECKING:
    from minimise.engine import EngineOptions
    from minimise.knowledge import Knowledge
    from minimise.model import FileResult

CACHEDIR_TAG = "Signature: 8a477f597d28d172789f06886806bc55\n# minimise cache; safe to delete.\n"
MAX_AGE_SECONDS = 30 * 24 * 3600
MAX_CACHE_BYTES = 512 * 1024 * 1024
PRUNE_EVERY_SECONDS = 24 * 3600
_COMMAND_LINE = "command line"


def user_cache_root() -> Path:
    """``$XDG_CACHE_HOME/minimise`` when that is an absolute path, else ``~/.cache/minimise``."""
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "minimise"


def project_digest(root: Path) -> str:
    try:
        where = str(root.resolve())
    except OSError:
        where = str(root.absolute())
    return hashlib.sha256(where.encode("utf-8", "surrogateescape")).hexdigest()[:20]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def cache_location(
    root: Path, configured: str | None, source: str, notice: Callable[[str], None] | None = None
) -> Path:
    """The cache folder for a scan of ``root``.

    ``configured`` is the ``cache_dir`` setting and ``source`` where it came from (``command
    line`` or a configuration file). A configuration file may only name a folder inside the
    project; only the command line may name one elsewhere. A folder git tracks is never used.
    """
    default = user_cache_root() / project_digest(root)
    if not configured:
        return default
    chosen = Path(configured)
    say = notice or (lambda _message: None)
    if source != _COMMAND_LINE and not _inside(chosen, root):
        say(f"cache_dir {configured} from {source} is outside the project; using {default} (--cache-dir overrides)")
        return default
    if _inside(chosen, root) and _tracked(chosen):
        say(f"cache_dir {configured} is tracked by git, so it is not trusted; using {default}")
        return default
    return chosen


def _tracked(folder: Path) -> bool:
    from minimise.git import GitError, is_tracked, top_level

    start = folder if folder.is_dir() else folder.parent
    while not start.exists() and start != start.parent:
        start = start.parent
    try:
        top = top_level(start)
    except GitError:
        return False
    try:
        relative = folder.resolve().relative_to(top.resolve())
    except (ValueError, OSError):
        return False
    return is_tracked(top, relative)


_ANALYSER_DIGEST: str | None = None


def analyser_digest() -> str:
    """A digest of the installed minimise package's own files: new code never reuses old results."""
    global _ANALYSER_DIGEST
    if _ANALYSER_DIGEST is None:
        package = Path(__file__).resolve().parent
        digest = hashlib.sha256(__version__.encode())
        for path in sorted(package.rglob("*")):
            if "__pycache__" in path.parts or not path.is_file() or path.suffix in (".pyc", ".pyo"):
                continue
            digest.update(path.relative_to(package).as_posix().encode())
            digest.update(b"\0")
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"unreadable")
        _ANALYSER_DIGEST = digest.hexdigest()
    return _ANALYSER_DIGEST


def user_secret() -> bytes:
    """A random key kept (0600) in the user's cache folder, so nobody else can compute cache keys."""
    path = user_cache_root() / "key"
    try:
        data = path.read_bytes()
        if len(data) == 32:
            return data
    except OSError:
        pass
    fresh = secrets.token_bytes(32)
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(fresh)
        return fresh
    except FileExistsError:
        try:
            data = path.read_bytes()
            return data if len(data) == 32 else b""
        except OSError:
            return b""
    except OSError:
        return b""  # a read-only home: keys still cover code, rules and content


def deferred_key(key: str) -> str:
    """Where a file's deferred result is kept: apart from its full result, which a later scan may need."""
    return hashlib.sha256(f"{key}\0deferred".encode()).hexdigest()


class ResultCache:
    """Per-file results keyed by content, path, analyser code, rules, options and the user's secret."""

    def __init__(self, directory: Path, options: EngineOptions, knowledge: Knowledge) -> None:
        self.directory = directory
        salt = hashlib.sha256()
        for part in (
            __version__,
            analyser_digest(),
            knowledge.fingerprint,
            str(options.prefilter),
            "\0".join(options.non_personal),
        ):
            salt.update(part.encode("utf-8", "surrogateescape"))
            salt.update(b"\0")
        salt.update(user_secret())
        self.salt = salt.hexdigest()
        self._prepared = False
        prune(directory)

    def key(self, raw: bytes, display: str) -> str:
        digest = hashlib.sha256()
        digest.update(self.salt.encode())
        digest.update(display.encode("utf-8", "surrogateescape"))
        digest.update(b"\0")
        digest.update(raw)
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str, expected_path: str | None = None) -> FileResult | None:
        """The stored result, or None when absent or not exactly a valid entry for ``expected_path``."""
        # Imported here: a warm scan's replay (minimise.tree_memo) finds its cache folder without them.
        from minimise.cache_entry import MAX_ENTRY_BYTES, BadEntry, result_from_json

        try:
            with open(self._path(key), "rb") as handle:
                raw = handle.read(MAX_ENTRY_BYTES + 1)
            if len(raw) > MAX_ENTRY_BYTES:
                return None
            data = json.loads(raw)
            if expected_path is None:
                if not isinstance(data, dict) or not isinstance(data.get("path"), str):
                    return None
                expected_path = data["path"]
            return result_from_json(data, expected_path)
        except (OSError, ValueError, RecursionError, BadEntry):
            return None

    def put(self, key: str, result: FileResult) -> None:
        from minimise.cache_entry import MAX_ENTRY_BYTES, result_to_json

        path = self._path(key)
        try:
            if not self._prepared:
                self._prepare()
            path.parent.mkdir(parents=True, exist_ok=True)
            text = json.dumps(result_to_json(result), separators=(",", ":"))
            if len(text) > MAX_ENTRY_BYTES:
                return
            # No fsync: a cache entry lost to a power cut is simply recomputed; the rename
            # still guarantees that no reader ever sees half an entry.
            atomic_write(path, text, durable=False, tidy=False)
        except (OSError, ValueError, RecursionError):
            pass

    def _prepare(self) -> None:
        """CACHEDIR.TAG for backup tools and a ``*`` .gitignore, written only inside the cache folder."""
        self._prepared = True
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        for name, text in (("CACHEDIR.TAG", CACHEDIR_TAG), (".gitignore", "# Created by minimise.\n*\n")):
            marker = self.directory / name
            if not marker.exists() and not marker.is_symlink():
                atomic_write(marker, text)


def prune(directory: Path, now: float | None = None, force: bool = False) -> int:
    """Drop entries older than MAX_AGE_SECONDS, then the oldest until under MAX_CACHE_BYTES.

    Runs at most once a day per cache folder (a stamp file records the last run); returns
    the number of entries removed.
    """
    now = time.time() if now is None else now
    stamp = directory / ".pruned"
    try:
        if not force and now - stamp.stat().st_mtime < PRUNE_EVERY_SECONDS:
            return 0
    except FileNotFoundError:
        pass
    except OSError:
        return 0
    if not directory.is_dir():
        return 0
    entries: list[tuple[float, int, Path]] = []
    try:
        for shard in directory.iterdir():
            if len(shard.name) != 2 or not shard.is_dir() or shard.is_symlink():
                continue
            for entry in shard.iterdir():
                if entry.suffix not in (".json", ".tmp"):
                    continue
                try:
                    info = entry.lstat()
                except OSError:
                    continue
                entries.append((info.st_mtime, info.st_size, entry))
    except OSError:
        return 0
    removed = 0
    entries.sort()
    total = sum(size for _, size, _ in entries)
    for mtime, size, entry in entries:
        if now - mtime <= MAX_AGE_SECONDS and total <= MAX_CACHE_BYTES:
            continue
        try:
            entry.unlink()
            removed += 1
            total -= size
        except OSError:
            continue
    try:
        stamp.touch()
    except OSError:
        pass
    return removed
