"""A folder scan's whole output, kept with the size and time of every file it read: replayed while none changed.

A warm re-scan of an unchanged repository would otherwise still import the analysis, read a
cache entry per file, link the project and render the report. The memo is looked up after
discovery (so an added, removed or renamed file is seen) and is used only when every input
has the size, modification and change times and inode it had: the discovered files, the
test files whose literals are checked, the configuration, extra rule files, the baseline, the
inventory, and minimise's own code and rules. The key covers the resolved configuration, the switches,
the environment that changes output and, for reports that name it, the git revision; it is
salted, and the memo signed, with the user's cache secret, so nobody else can plant one.

A file changed within the same tick of the file system's clock as the stamp could keep its
size and time, so a memo is not kept when any input changed in the two seconds before the
scan began (git calls such entries racily clean). Nothing that can vary from run to run is
kept: a scan with errors, MIN001 findings (time limits) or notices is not memoised.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimise import __version__

if TYPE_CHECKING:
    from minimise.config import Config
    from minimise.discover import Target
    from minimise.model import ScanError

# What discovery found: the targets, the problems met on the way, the test files left out.
Discovered = tuple[list["Target"], list["ScanError"], list[str]]

MEMO_FORMAT = 1
RACY_NANOSECONDS = 2_000_000_000
KEPT_MEMOS = 16
# Environment that changes what a scan finds or prints; the rest (PWD, SHLVL, ...) does not.
_ENVIRONMENT = (
    "CI",
    "COLUMNS",
    "FORCE_COLOR",
    "HOME",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "NO_COLOR",
    "PATH",
    "PYTHONIOENCODING",
    "SOURCE_DATE_EPOCH",
    "TERM",
    "XDG_CACHE_HOME",
)
_ENVIRONMENT_PREFIXES = ("MINIMISE_", "GIT_")

# (size, modification time, change time, inode); None: the file is absent. The change time and
# the inode catch a copy that keeps the size and modification time (`rsync -t`, `cp -p`).
Stamp = tuple[int, int, int, int] | None


def stamp(path: str) -> Stamp:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino)


def environment() -> list[tuple[str, str]]:
    return sorted(
        (name, value)
        for name, value in os.environ.items()
        if name in _ENVIRONMENT or name.startswith(_ENVIRONMENT_PREFIXES)
    )


class TreeMemo:
    """The memo of one folder scan's configuration: ``replay`` if its inputs are unchanged, else ``keep`` the new."""

    def __init__(self, folder: Path, key_parts: Iterable[str], inputs: Iterable[str], secret: bytes) -> None:
        self.started = time.time_ns()
        self.folder = folder
        self.secret = secret
        digest = hashlib.sha256(secret)
        for part in (str(MEMO_FORMAT), __version__, sys.version, sys.executable, *key_parts):
            digest.update(part.encode("utf-8", "surrogateescape"))
            digest.update(b"\0")
        self.key = digest.hexdigest()
        self.inputs = {path: stamp(path) for path in inputs}

    @property
    def path(self) -> Path:
        return self.folder / f"{self.key[:48]}.json"

    def _signature(self, body: bytes) -> str:
        return hmac.new(self.secret, body, hashlib.sha256).hexdigest()

    def replay(self) -> dict[str, Any] | None:
        """The kept output, when there is one for this key and every input still has its size and time."""
        try:
            signature, _, body = self.path.read_bytes().partition(b"\n")
        except OSError:
            return None
        if not hmac.compare_digest(signature.decode("ascii", "replace"), self._signature(body)):
            return None
        try:
            kept = json.loads(body)
            inputs = {path: tuple(value) if value is not None else None for path, value in kept["inputs"].items()}
            if kept["key"] != self.key or inputs != self.inputs or not isinstance(kept["output"], dict):
                return None
            return dict(kept["output"])
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def keep(self, output: dict[str, Any]) -> bool:
        """Keep ``output`` (plain JSON values) for the next scan; not when an input changed too recently to tell."""
        latest_trusted = self.started - RACY_NANOSECONDS
        if any(value is not None and value[1] >= latest_trusted for value in self.inputs.values()):
            return False
        body = json.dumps(
            {
                "key": self.key,
                "inputs": self.inputs,
                "output": output,
            },
            separators=(",", ":"),
        ).encode("ascii")
        from minimise.atomic import atomic_write

        try:
            self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
            atomic_write(self.path, self._signature(body) + "\n" + body.decode("ascii"), durable=False, tidy=False)
            _prune(self.folder, keep=self.path)
        except OSError:
            return False  # a read-only cache: the next scan runs in full, as this one did
        return True


def _prune(folder: Path, keep: Path) -> None:
    """At most KEPT_MEMOS memos (one per configuration scanned), the least recently written dropped."""
    try:
        memos = [entry for entry in os.scandir(folder) if entry.name.endswith(".json") and entry.is_file()]
        if len(memos) <= KEPT_MEMOS:
            return
        memos.sort(key=lambda entry: entry.stat().st_mtime_ns)
        for entry in memos[: len(memos) - KEPT_MEMOS]:
            if entry.path != str(keep):
                os.unlink(entry.path)
    except OSError:
        pass


def folder_memo(
    config: Config,
    follow_symlinks: bool,
    front_end: list[str],
    revision: Callable[[Path], tuple[str, str]],
    paths: list[Path] | None = None,
) -> tuple[TreeMemo, Discovered] | None:
    """The memo of a scan of the configuration's folder and what discovery found, or None where
    a kept output cannot stand in (named files, a cache folder the scan has a notice about,
    problems met in discovery). ``front_end`` names the front end and its own switches;
    ``revision`` gives the git revision for reports that show it; ``paths`` default to the configuration's."""
    from minimise.session import Layout, SessionError, discover_targets, nearest_inventory

    try:
        layout = Layout.of(config, paths)
    except SessionError:
        return None  # the full scan says what is wrong
    if not layout.covers_whole_root() or not layout.root.is_dir():
        return None
    from minimise.cache import cache_location, user_secret
    from minimise.shipped import shipped_files

    notices: list[str] = []
    cache = cache_location(layout.project_root, config["cache_dir"], config.sources["cache_dir"], notices.append)
    if notices:
        return None  # the scan has something to say about its cache, every time
    problems: list[ScanError] = []
    tests_left_out: list[str] = []
    targets = discover_targets(layout.paths, layout.root, config, follow_symlinks, problems, tests_left_out)
    if problems:
        return None
    inventory = config["inventory"] or nearest_inventory(layout.anchor, layout.project_root)
    key = [
        *front_end,
        os.getcwd(),
        repr(sorted(config.values.items())),
        repr(sorted(config.sources.items())),
        str(config.file),
        repr(environment()),
        repr([str(p) for p in (layout.project_root, layout.root, layout.anchor, *layout.paths)]),
        str(inventory),
        repr(revision(layout.project_root)),
    ]
    inputs = [str(t.path) for t in targets]
    inputs += [os.path.join(layout.root, display) for display in tests_left_out]
    inputs += [str(p) for p in (config.file, config["baseline"], inventory, *config["rules"]) if p]
    inputs += shipped_files()
    secret = user_secret()
    if not secret:
        return None  # without the user's secret anyone could write a memo this scan would trust
    return TreeMemo(cache / "trees", key, inputs, secret), (targets, problems, tests_left_out)
