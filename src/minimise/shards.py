"""Sharded scans: which files shard K of N analyses, the shard file format, and merging shards into one scan.

A shard holds every fact the project-wide phase and the policy need from its files (each file's
data points, suppressions, error and module summary, in the result cache's entry format), plus
what it takes to prove the shards belong together: the minimise version, a digest of the
configuration and of every discovered file's text. `minimise report merge` links all shards'
summaries and applies the policy through the same scan session as `minimise scan`, so the merged
report is the unsharded one. The format is documented in docs/sharding.md.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimise import __version__
from minimise.cache_entry import BadEntry, result_from_json, result_to_json
from minimise.model import FileResult, ScanError
from minimise.redact import redact_text

if TYPE_CHECKING:
    from minimise.discover import Target
    from minimise.session import Outcome, Session

SHARD_FORMAT = "minimise-shard"
SHARD_VERSION = 1
MAX_SHARDS = 1000
MAX_SHARD_BYTES = 2 * 1024 * 1024 * 1024
# Settings that change how a scan runs or prints its report, never what it finds.
NOT_ABOUT_RESULTS = frozenset({"format", "jobs", "cache_dir", "fail_on"})
_SPEC = re.compile(r"([1-9][0-9]*)/([1-9][0-9]*)")
_DOCUMENT_KEYS = {"format", "version", "minimise", "analyser", "shard", "settings", "configuration", "tree", "files"}
_SETTINGS_KEYS = {
    "config_file",
    "overrides",
    "paths",
    "no_prefilter",
    "follow_symlinks",
    "use_baseline",
    "use_inventory",
}


class ShardError(Exception):
    """A shard that cannot be written, read or merged (exit code 2); the message is one line naming the file."""


def parse_spec(text: str) -> tuple[int, int]:
    """``K/N`` as (K, N); ValueError unless 1 <= K <= N <= MAX_SHARDS."""
    match = _SPEC.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"expected K/N, such as 2/4, got {text!r}")
    index, count = int(match.group(1)), int(match.group(2))
    if index > count:
        raise ValueError(f"shard {index} of {count}: K must be between 1 and N")
    if count > MAX_SHARDS:
        raise ValueError(f"at most {MAX_SHARDS} shards, got {count}")
    return index, count


def shard_of(relative: str, count: int) -> int:
    """The shard (1..count) a file belongs to, by a hash of its project-relative path.

    SHA-256, not hash(): the answer must be the same on every machine and in every Python run.
    """
    digest = hashlib.sha256(relative.encode("utf-8", "surrogateescape")).digest()
    return int.from_bytes(digest[:8], "big") % count + 1


@dataclass(frozen=True)
class Settings:
    """How the shards were started: what `report merge` needs to rebuild the same scan session."""

    config_file: str | None = None  # --config, when given
    overrides: dict[str, Any] = field(default_factory=dict)  # configuration keys set on the command line
    paths: tuple[str, ...] = ()  # the paths named on the command line
    no_prefilter: bool = False
    follow_symlinks: bool = False
    use_baseline: bool = True
    use_inventory: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "config_file": self.config_file,
            "overrides": dict(sorted(self.overrides.items())),
            "paths": list(self.paths),
            "no_prefilter": self.no_prefilter,
            "follow_symlinks": self.follow_symlinks,
            "use_baseline": self.use_baseline,
            "use_inventory": self.use_inventory,
        }

    @staticmethod
    def from_json(data: object, where: str) -> Settings:
        from minimise.config import KEYS

        if not isinstance(data, dict) or set(data) != _SETTINGS_KEYS:
            raise ShardError(f"{where}: corrupt shard: settings")
        config_file, overrides, paths = data["config_file"], data["overrides"], data["paths"]
        flags = [data[k] for k in ("no_prefilter", "follow_symlinks", "use_baseline", "use_inventory")]
        if (
            not (config_file is None or isinstance(config_file, str))
            or not isinstance(overrides, dict)
            or any(key not in KEYS or key == "include" or not _fits(KEYS[key].kind, v) for key, v in overrides.items())
            or not isinstance(paths, list)
            or not all(isinstance(p, str) for p in paths)
            or not all(isinstance(flag, bool) for flag in flags)
        ):
            raise ShardError(f"{where}: corrupt shard: settings")
        return Settings(config_file, dict(overrides), tuple(paths), *flags)


def _fits(kind: str, value: object) -> bool:
    """Whether a recorded override has the type the command line gives that kind of key."""
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "int":
        return type(value) is int and value >= 0
    if kind in ("str", "choice", "path"):
        return value is None or isinstance(value, str)
    if kind in ("list", "paths"):
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    return isinstance(value, dict) and all(
        isinstance(v, list) and all(isinstance(c, str) for c in v) for v in value.values()
    )


@dataclass
class Shard:
    """One shard file, read and checked."""

    source: str  # the file name as given, for messages
    index: int
    count: int
    minimise: str
    analyser: str  # digest of the installed package's files: two builds of one version differ here
    settings: Settings
    configuration: str
    tree: str
    results: list[FileResult]


# --------------------------------------------------------------------------- digests
def configuration_digest(session: Session, settings: Settings) -> str:
    """What decides a scan's findings besides the code: settings, switches, rules, inventory and baseline.

    Paths count relative to the project root, so two checkouts in different folders agree.
    """
    from minimise.config import KEYS

    config = session.config
    values: dict[str, Any] = {}
    for key, value in sorted(config.values.items()):
        if key in NOT_ABOUT_RESULTS:
            continue
        kind = KEYS[key].kind
        if kind == "path" and value:
            value = _portable(session, str(value))
        elif kind == "paths":
            value = [_portable(session, str(v)) for v in value]
        values[key] = value
    files: dict[str, Any] = {"rules": [_file_digest(Path(p)) for p in config["rules"]]}
    session.policy(full_scan=True)  # finds and loads the inventory a full scan uses, if any
    inventory = session.inventory_path
    if inventory is not None:
        files["inventory"] = [_portable(session, str(inventory)), _file_digest(inventory)]
    if settings.use_baseline and config["baseline"]:
        files["baseline"] = _file_digest(Path(config["baseline"]))
    payload = {
        "values": values,
        "switches": [settings.no_prefilter, settings.follow_symlinks, settings.use_baseline, settings.use_inventory],
        "files": files,
        "knowledge": session.knowledge.fingerprint,
        "scan_root": _portable(session, str(session.root)),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def tree_digest(session: Session, targets: list[Target], tests_left_out: list[str], problems: list[ScanError]) -> str:
    """Every discovered file's project-relative path and text, the test files left out, the discovery problems."""
    digest = hashlib.sha256()
    for kind, displays in (("file", [t.display for t in targets]), ("test", tests_left_out)):
        for relative, display in sorted((session.relative(d), d) for d in displays):
            digest.update(f"{kind}\0{relative}\0{_file_digest(session.root / display)}\n".encode())
    for problem in sorted((session.relative(p.path), p.line, p.message) for p in problems):
        digest.update(("problem\0" + "\0".join(map(str, problem)) + "\n").encode())
    return digest.hexdigest()


def _portable(session: Session, path: str) -> str:
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(session.project_root))).as_posix()


def _file_digest(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        return f"unreadable: {exc.strerror or exc}"


# --------------------------------------------------------------------------- writing
def write_shard(session: Session, settings: Settings, index: int, count: int, output: Path) -> tuple[int, int]:
    """Analyse shard ``index`` of ``count`` and write it to ``output``; (files in the shard, files in all)."""
    from minimise.atomic import write_output
    from minimise.cache import analyser_digest
    from minimise.engine import run_files

    session.policy(full_scan=True)  # an inventory the merge could not use fails here, not after the scan
    problems: list[ScanError] = []
    tests_left_out: list[str] = []
    targets = session.discover(problems, tests_left_out)
    mine = [t for t in targets if shard_of(session.relative(t.display), count) == index]
    results = run_files(mine, session.engine, session.config["jobs"], session.cache_dir(), session.options.progress)
    document = {
        "format": SHARD_FORMAT,
        "version": SHARD_VERSION,
        "minimise": __version__,
        "analyser": analyser_digest(),
        "shard": {"index": index, "count": count},
        "settings": settings.to_json(),
        "configuration": configuration_digest(session, settings),
        "tree": tree_digest(session, targets, tests_left_out, problems),
        "files": [_record(result) for result in results],
    }
    try:
        write_output(output, json.dumps(document, separators=(",", ":")) + "\n")
    except OSError as exc:
        raise ShardError(f"cannot write {output}: {exc.strerror or exc}") from None
    return len(mine), len(targets)


def _record(result: FileResult) -> dict[str, object]:
    """A file's result in the cache's entry format, with the explain steps the HTML report shows (masked)."""
    entry = result_to_json(result)
    rows: list[list[object]] = entry["points"]  # type: ignore[assignment]
    for row, point in zip(rows, result.data_points, strict=True):
        row[10] = [redact_text(step) for step in point.trace]
    return entry


# --------------------------------------------------------------------------- reading
def read_shard(path: Path) -> Shard:
    """A shard file, every part of it checked; ShardError names the file and what is wrong."""
    from minimise.inputs import InputError, read_input

    where = str(path)
    try:
        raw = read_input(path, "shard file", MAX_SHARD_BYTES)  # a regular file, size-capped, FIFO-safe
    except InputError as exc:
        raise ShardError(str(exc)) from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ShardError(f"{where}:{exc.lineno}: not a shard file: invalid JSON ({exc.msg})") from None
    except (ValueError, RecursionError) as exc:
        raise ShardError(f"{where}: not a shard file: {type(exc).__name__}") from None
    if not isinstance(data, dict) or data.get("format") != SHARD_FORMAT:
        raise ShardError(f"{where}: not a minimise shard file (written by `minimise scan --shard K/N -o FILE`)")
    if data.get("version") != SHARD_VERSION:
        raise ShardError(
            f"{where}: shard format version {data.get('version')!r}; this minimise reads version {SHARD_VERSION}"
        )
    if set(data) != _DOCUMENT_KEYS:
        raise ShardError(f"{where}: corrupt shard: expected the keys {', '.join(sorted(_DOCUMENT_KEYS))}")
    shard, version = data["shard"], data["minimise"]
    if (
        not isinstance(shard, dict)
        or set(shard) != {"index", "count"}
        or not all(type(shard[k]) is int for k in shard)
        or not 1 <= shard["index"] <= shard["count"] <= MAX_SHARDS
    ):
        raise ShardError(f"{where}: corrupt shard: shard must be {{index: K, count: N}} with 1 <= K <= N")
    for key in ("minimise", "analyser", "configuration", "tree"):
        if not isinstance(data[key], str):
            raise ShardError(f"{where}: corrupt shard: {key} must be a string")
    if not isinstance(data["files"], list):
        raise ShardError(f"{where}: corrupt shard: files must be a list")
    results = []
    for number, entry in enumerate(data["files"], start=1):
        display = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(display, str) or not _safe_path(display):
            raise ShardError(f"{where}: corrupt shard: file record {number} has no relative path")
        try:
            results.append(result_from_json(entry, display))
        except BadEntry as exc:
            raise ShardError(f"{where}: corrupt shard: file record {number} ({display}): bad {exc}") from None
    settings = Settings.from_json(data["settings"], where)
    return Shard(
        where,
        shard["index"],
        shard["count"],
        version,
        data["analyser"],
        settings,
        data["configuration"],
        data["tree"],
        results,
    )


def _safe_path(display: str) -> bool:
    parts = display.split("/")
    return bool(display) and not display.startswith(("/", "\\")) and ".." not in parts and "\0" not in display


# --------------------------------------------------------------------------- merging
def check_set(shards: list[Shard]) -> None:
    """The shards are one complete scan: one minimise version, one N, each K once, one configuration and tree."""
    if not shards:
        raise ShardError("no shard files given")
    first = shards[0]
    for shard in shards:
        if shard.minimise != first.minimise:
            raise ShardError(
                f"{shard.source}: made by minimise {shard.minimise}, {first.source} by minimise {first.minimise}; "
                "run every shard with one version"
            )
    if first.minimise != __version__:
        raise ShardError(
            f"{first.source}: made by minimise {first.minimise}; this is minimise {__version__} "
            "(merge with the version that scanned)"
        )
    from minimise.cache import analyser_digest

    for shard in shards:
        if shard.analyser != first.analyser:
            raise ShardError(
                f"{shard.source}: made by another build of minimise {shard.minimise} than {first.source} "
                "(its files differ); run every shard with one install"
            )
    if first.analyser != analyser_digest():
        raise ShardError(
            f"{first.source}: made by another build of minimise {first.minimise} than this one (its files differ)"
        )
    seen: dict[int, Shard] = {}
    for shard in shards:
        if shard.count != first.count:
            raise ShardError(
                f"{shard.source}: shard {shard.index}/{shard.count}, but {first.source} is "
                f"{first.index}/{first.count}: the shards of one scan share N"
            )
        if shard.index in seen:
            raise ShardError(
                f"{shard.source}: shard {shard.index}/{shard.count} again (also {seen[shard.index].source})"
            )
        seen[shard.index] = shard
    missing = [f"{k}/{first.count}" for k in range(1, first.count + 1) if k not in seen]
    if missing:
        given = ", ".join(f"{k}/{first.count}" for k in sorted(seen))
        raise ShardError(f"missing shard{'s' if len(missing) > 1 else ''} {', '.join(missing)} (given: {given})")
    for shard in shards:
        # Settings may differ in ways that change nothing found (`.` named or not): the digest decides.
        if shard.configuration != first.configuration:
            raise ShardError(
                f"{shard.source}: made with another configuration than {first.source} "
                "(options, configuration file, inventory, baseline or rule files differ)"
            )
        if shard.tree != first.tree:
            raise ShardError(
                f"{shard.source}: scanned other files than {first.source} (another commit or working tree?)"
            )


def merge(shards: list[Shard], session: Session) -> Outcome:
    """The outcome of the unsharded scan, from the shards' file results and ``session``'s policy."""
    check_set(shards)
    first = shards[0]
    if configuration_digest(session, first.settings) != first.configuration:
        raise ShardError(
            f"{first.source}: the shards were made with another configuration than the one here "
            "(configuration file, inventory, baseline or rule files changed?)"
        )
    problems: list[ScanError] = []
    tests_left_out: list[str] = []
    targets = session.discover(problems, tests_left_out)
    if tree_digest(session, targets, tests_left_out, problems) != first.tree:
        raise ShardError(
            f"{first.source}: the files here are not the ones the shards scanned (another commit or working tree?)"
        )
    by_display: dict[str, FileResult] = {}
    for shard in shards:
        for result in shard.results:
            if shard_of(session.relative(result.path), shard.count) != shard.index:
                raise ShardError(f"{shard.source}: {result.path} belongs to another shard than {shard.index}")
            if result.path in by_display:
                raise ShardError(f"{shard.source}: {result.path} is in two shards")
            by_display[result.path] = result
    session.results = lambda wanted: _in_order(wanted, by_display)
    return session.run()


def _in_order(targets: Iterable[Target], by_display: dict[str, FileResult]) -> list[FileResult]:
    ordered = []
    for target in targets:
        result = by_display.get(target.display)
        if result is None:
            raise ShardError(f"{target.display}: in none of the shards (were they all made from this checkout?)")
        ordered.append(result)
    return ordered
