"""One scan session: discover once, analyse, apply the policy, selection, suppressions, --diff and the baseline.

`minimise scan`, `minimise explain PATH:LINE`, `minimise baseline create` and the flake8 plugin
are front ends over it, so they give the same verdict on the same line. Nothing here prints or
exits: problems are raised as SessionError, whose message is one line naming the file.

Paths: the engine names files relative to the scan root (the folder scanned, which also gives
module names); a session reports them relative to the project root (the folder of the
configuration file, else the git work tree's top, else the scan root), so JSON, SARIF,
fingerprints and baselines do not depend on the folder a scan is started from.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimise.model import DataPoint, FileResult, Finding, Report, ScanError

if TYPE_CHECKING:
    from minimise.baseline import Entry
    from minimise.config import Config
    from minimise.discover import Target
    from minimise.knowledge import Knowledge
    from minimise.selection import Selection

Policy = Callable[[list[DataPoint]], list[Finding]]
# Errors that are about reaching a file, not about reading its text as Python: never MIN001.
_NOT_ABOUT_THE_TEXT = (
    "not a regular file",
    "file is larger",
    "cannot read",
    "file vanished",
    "internal error",
    "broken symbolic link",
    "symbolic link",
)


_MAX_PREFILTER_BYTES = 64 * 1024 * 1024


class SessionError(Exception):
    """A usage or configuration problem (exit code 2); the message is one line naming the file."""


@dataclass
class SessionOptions:
    """How to run, beyond the configuration: the command-line switches that are not configuration keys."""

    no_cache: bool = False
    no_prefilter: bool = False
    follow_symlinks: bool = False
    debug: bool = False
    diff_ref: str | None = None
    use_baseline: bool = True
    use_inventory: bool = True
    progress: Callable[[int, int], None] | None = None
    notice: Callable[[str], None] | None = None  # one-line notices (a cache folder not used, and why)
    # What discovery found when a front end has already run it: (targets, problems, tests left out).
    discovered: tuple[list[Target], list[ScanError], list[str]] | None = None


@dataclass
class Outcome:
    report: Report
    all_findings: list[Finding] = field(default_factory=list)  # before suppressions and selection
    stale: list[Entry] = field(default_factory=list)  # baseline entries that no longer match
    baselined: int = 0
    baselined_findings: list[Finding] = field(default_factory=list)  # the baseline's matches, for reports
    scanned: set[str] = field(default_factory=set)  # project-relative paths of the files analysed
    inventory_used: bool = False
    partial: bool = False
    project_root: Path = Path(".")
    tests_left_out: list[str] = field(default_factory=list)
    inventory_path: Path | None = None  # the inventory the policy used, configured or found


def find_project_root(start: Path, config_file: Path | None, named_files: bool = False) -> Path:
    """The folder of the configuration file, else the git work tree's top above ``start``, else the
    nearest folder above ``start`` holding a data inventory, else, for named files, the current folder when
    they are inside it, else ``start``'s folder."""
    if config_file is not None:
        return Path(os.path.abspath(config_file)).parent
    here = _folder_of(start)
    for directory in (here, *here.parents):
        if (directory / ".git").exists():
            return directory
    found = nearest_inventory(here, None)
    if found is not None:
        return found.parent
    # No marker at all: a file named from the folder a user stands in belongs to that folder's project.
    cwd = Path.cwd()
    if not named_files:
        return here
    return cwd if here == cwd or cwd in here.parents else here


def marks_a_project(root: Path, config_file: Path | None) -> bool:
    """Whether ``root`` was found by a marker (configuration, git, inventory) rather than by default."""
    if config_file is not None or (root / ".git").exists():
        return True
    found = nearest_inventory(root, root)
    return found is not None


def _folder_of(path: Path) -> Path:
    absolute = Path(os.path.abspath(path))
    return absolute if absolute.is_dir() else absolute.parent


def nearest_inventory(start: Path, top: Path | None) -> Path | None:
    """``data-inventory.yaml`` in ``start`` or a folder above it, up to ``top`` (or the git top)."""
    from minimise.config import INVENTORY_FILE

    for directory in (start, *start.parents):
        candidate = directory / INVENTORY_FILE
        if candidate.is_file():
            return candidate
        if directory == top or (directory / ".git").exists():
            break
    return None


def scan_root(paths: list[Path], project_root: Path) -> Path:
    """The folder the engine's display paths and module names are relative to: a single folder
    scanned, else the project root of the files (the cwd in the usual case of a pre-commit run)."""
    if len(paths) == 1 and paths[0].is_dir():
        return paths[0]
    return Path(".") if Path(os.path.realpath(project_root)) == Path.cwd() else project_root


@dataclass(frozen=True)
class Layout:
    """Where a scan's paths live: the scan root, the project root and whether it is marked as one."""

    paths: list[Path]
    anchor: Path  # the folder the paths live in: where the configuration and the inventory are looked for
    project_root: Path
    # Only a folder marked as a project (configuration, git, inventory) or the one the user stands
    # in is read whole to link a partial scan: `minimise scan /tmp/one.py` from elsewhere must not
    # summarise everything else in /tmp.
    marked_project: bool
    root: Path

    @classmethod
    def of(cls, config: Config, paths: list[Path] | None = None) -> Layout:
        """The layout of a scan of ``paths`` (default: the configuration's ``include``, else the current folder)."""
        paths = paths if paths is not None else [Path(p) for p in config["include"]] or [Path(".")]
        for target in paths:
            if not target.exists() and not target.is_symlink():
                raise SessionError(f"{target}: no such file or directory")
        anchor = Path(os.path.commonpath([_folder_of(p) for p in paths]))
        named_files = all(not p.is_dir() for p in paths)
        project_root = find_project_root(anchor, config.file, named_files)
        marked = marks_a_project(project_root, config.file) or Path(os.path.realpath(project_root)) == Path.cwd()
        return cls(paths, anchor, project_root, marked, scan_root(paths, project_root))

    def covers_whole_root(self) -> bool:
        """Whether the paths are the scan root itself (a folder scan), not files named in it."""
        return _whole_root(self.paths, self.root)


def _whole_root(paths: list[Path], root: Path) -> bool:
    return all(p.resolve() == root.resolve() for p in paths)


def discover_targets(
    paths: list[Path],
    root: Path,
    config: Config,
    follow_symlinks: bool,
    problems: list[ScanError],
    tests_left_out: list[str],
) -> list[Target]:
    """The files a scan of ``paths`` analyses, as the configuration's include, exclude and test settings say."""
    from minimise.discover import discover

    return list(
        discover(
            paths,
            root,
            config["include_migrations"],
            follow_symlinks,
            tuple(config["exclude"]),
            problems,
            include_tests=config["include_tests"],
            tests_left_out=tests_left_out,
        )
    )


class Session:
    """Configuration, knowledge, selection and policy resolved once; ``run`` scans, ``check_file`` checks one file."""

    def __init__(self, config: Config, options: SessionOptions | None = None, paths: list[Path] | None = None) -> None:
        from minimise.engine import EngineOptions

        self.config = config
        self.options = options or SessionOptions()
        layout = Layout.of(config, paths)
        self.paths, self.anchor, self.project_root = layout.paths, layout.anchor, layout.project_root
        self.marked_project, self.root = layout.marked_project, layout.root
        self._root_abs = Path(os.path.abspath(self.root))
        self._relative: dict[str, str] = {}
        self.engine = EngineOptions(
            extra_rules=tuple(config["rules"]),
            prefilter=not self.options.no_prefilter,
            debug=self.options.debug,
            time_limit=config["file_time_limit"],
            size_limit=max(1, config["file_size_limit"]) * 1024 * 1024,
        )
        from minimise.knowledge.compiled import use_rules_cache

        use_rules_cache(not self.options.no_cache)
        self.knowledge = load_rules(self.engine)
        self.selection = selection_of(config, self.knowledge)
        self._inventory_used = False
        self.inventory_path: Path | None = None
        self._policies: dict[bool, Policy] = {}
        self._by_file: tuple[set[str], dict[str, list[Finding]]] | None = None
        # Whether a front end checking single files may answer from a scan of all of ``paths``.
        self.whole_project = False
        # Where file results come from instead of the engine (`minimise report merge`: the shards).
        self.results: Callable[[list[Target]], Iterable[FileResult]] | None = None

    # ------------------------------------------------------------------ paths
    def relative(self, display: str) -> str:
        """A scan-root display path as the project-relative path reports use."""
        if self._root_abs == self.project_root:
            return display
        shown = self._relative.get(display)
        if shown is None:
            absolute = os.path.abspath(self.root / display)
            shown = self._relative[display] = Path(os.path.relpath(absolute, self.project_root)).as_posix()
        return shown

    def to_root(self, relative: str) -> str:
        """The inverse of ``relative``: a project-relative path as the engine's scan-root display path."""
        if self._root_abs == self.project_root:
            return relative
        return Path(os.path.relpath(self.project_root / relative, self._root_abs)).as_posix()

    def rebase_point(self, point: DataPoint) -> DataPoint:
        """A data point from the engine with project-relative paths (its own and its steps')."""
        steps = tuple(replace(step, path=self.relative(step.path)) for step in point.steps)
        return replace(point, path=self.relative(point.path), steps=steps)

    # ----------------------------------------------------------------- policy
    def policy(self, full_scan: bool) -> Policy:
        """The default policy, or the inventory's when one is configured or found; built once per kind."""
        if full_scan not in self._policies:
            self._policies[full_scan] = self._build_policy(full_scan)
        return self._policies[full_scan]

    def _build_policy(self, full_scan: bool) -> Policy:
        from minimise.checks import default_findings

        knowledge = self.knowledge
        if not self.options.use_inventory:
            return lambda points: default_findings(points, knowledge)
        inventory = self._inventory_file()
        if inventory is None:
            return lambda points: default_findings(points, knowledge)
        import minimise.inventory as inventory_module

        try:
            built: Policy = inventory_module.build_policy(inventory, knowledge, full_scan, self.project_root)
        except Exception as exc:  # noqa: BLE001 - the inventory's own errors name file and line
            if self.options.debug or isinstance(exc, MemoryError):
                raise
            raise SessionError(str(exc).splitlines()[0] if str(exc) else type(exc).__name__) from None
        self._inventory_used = True
        self.inventory_path = inventory
        return built

    def _inventory_file(self) -> Path | None:
        import importlib.util

        configured = self.config["inventory"]
        if importlib.util.find_spec("minimise.inventory") is None:
            if configured:
                raise SessionError(f"{configured}: this minimise has no inventory support")
            return None
        if configured:
            return Path(configured)
        return nearest_inventory(self.anchor, self.project_root)

    # -------------------------------------------------------------------- run
    def discover(self, problems: list[ScanError], tests_left_out: list[str]) -> list[Target]:
        if self.options.discovered is not None:
            targets, found, left_out = self.options.discovered
            problems.extend(found)
            tests_left_out.extend(left_out)
            return list(targets)
        return discover_targets(
            self.paths, self.root, self.config, self.options.follow_symlinks, problems, tests_left_out
        )

    def covers_whole_root(self) -> bool:
        """Whether a scan of this session covers its whole scan root (not named files, not --diff)."""
        return self.options.diff_ref is None and _whole_root(self.paths, self.root)

    def run(self) -> Outcome:
        """Scan the session's paths with every filter applied."""
        from minimise.scan import ScanOptions, scan

        config, options = self.config, self.options
        problems: list[ScanError] = []
        tests_left_out: list[str] = []
        targets = self.discover(problems, tests_left_out)
        partial = options.diff_ref is not None or any(p.is_file() for p in self.paths)
        changed, git_root = self._changed_lines()
        if changed is not None and git_root is not None:
            wanted = {(git_root / name).resolve() for name in changed}
            targets = [t for t in targets if t.path.resolve() in wanted]

        whole_root = self.covers_whole_root()
        policy = self.policy(full_scan=not partial)
        captured: list[Finding] = []

        def rebased_policy(points: list[DataPoint]) -> list[Finding]:
            original = {self.relative(p.path): p.path for p in points}
            found = policy([self.rebase_point(p) for p in points])
            captured.extend(found)
            # scan() matches findings with each file's suppressions by its own display path.
            return [replace(f, path=original.get(f.path) or self.to_root(f.path)) for f in found]

        cache = self._cache_dir()
        scan_options = ScanOptions(
            paths=[t.path for t in targets],
            root=self.root,
            engine=self.engine,
            jobs=config["jobs"],
            cache_dir=cache,
            include_migrations=config["include_migrations"],
            follow_symlinks=options.follow_symlinks,
            exclude=tuple(config["exclude"]),
            include_tests=config["include_tests"],
            # Discovery is done here, so scan() gets every file by name; it links them against the
            # rest of the project only when the session covers part of the scan root.
            project_context=not whole_root and self.marked_project,
            policy=rebased_policy,
            results=self.results,
        )
        report = scan(scan_options, progress=options.progress)
        report.root = str(self.project_root)
        report.errors.extend(problems)
        report.data_points = [self.rebase_point(p) for p in report.data_points]
        report.findings = [replace(f, path=self.relative(f.path)) for f in report.findings]
        report.errors = [replace(e, path=self.relative(e.path)) for e in report.errors]
        report.files_treated_as_tests = len(tests_left_out)  # type: ignore[attr-defined]
        scanned = {self.relative(t.display) for t in targets}
        outcome = Outcome(
            report,
            captured,
            inventory_used=self._inventory_used,
            inventory_path=self.inventory_path,
            partial=partial,
            project_root=self.project_root,
            scanned=scanned,
            tests_left_out=[self.relative(p) for p in tests_left_out],
        )
        report.findings.extend(self._unparsed_findings(report))
        report.findings.extend(self._committed_literals(tests_left_out, report))
        if config["require_suppression_reason"] or config["report_unused_suppressions"]:
            report.findings.extend(self._suppression_findings(targets, captured))
        report.findings = [f for f in report.findings if self.selection.reports(f.code, f.path)]
        self._apply_baseline(outcome, partial)
        if changed is not None and git_root is not None:
            report.findings = [f for f in report.findings if self._on_changed_line(f, git_root, changed)]
        report.sort()
        return outcome

    def findings_by_file(self) -> tuple[set[str], dict[str, list[Finding]]]:
        """The session's scan, run once: the project-relative paths analysed and each one's findings.

        The flake8 plugin answers from this, so a file checked in flake8 gets the verdict of the
        project-wide scan (data that reaches it through the project's other modules included).
        """
        if self._by_file is None:
            outcome = self.run()
            grouped: dict[str, list[Finding]] = {}
            for finding in outcome.report.findings:
                grouped.setdefault(finding.path, []).append(finding)
            self._by_file = (outcome.scanned, grouped)
        return self._by_file

    def check_file(self, display: str, raw: bytes) -> tuple[FileResult, list[Finding]]:
        """One file's analysis and its reported findings (flake8, stdin): the same filters as ``run``."""
        from minimise.engine import analyse_bounded
        from minimise.prefilter import Prefilter
        from minimise.suppress import is_suppressed

        prefilter = Prefilter(self.knowledge) if self.engine.prefilter else None
        result = analyse_bounded(raw, display, self.engine, self.knowledge, prefilter)
        points = [self.rebase_point(p) for p in result.data_points]
        findings = self.policy(full_scan=False)(points) if points else []
        if result.error is not None:
            unparsed = self._unparsed_finding(replace(result.error, path=self.relative(display)), raw)
            findings.extend([unparsed] if unparsed else [])
        kept = [
            f
            for f in findings
            if self.selection.reports(f.code, f.path) and not is_suppressed(result.suppressions, f.line, f.code)
        ]
        return result, sorted(kept, key=Finding.sort_key)

    # ---------------------------------------------------------------- filters
    def cache_dir(self) -> Path | None:
        """The result cache folder this session reads and writes, or None (for `scan --shard`)."""
        return self._cache_dir()

    def _cache_dir(self) -> Path | None:
        """The user's cache folder for this project, or a ``cache_dir`` it may use (see minimise.cache).

        Worked out once per session: a refused ``cache_dir`` is said once, however often it is asked for.
        """
        if self.options.no_cache:
            return None
        if not hasattr(self, "_cache_location"):
            from minimise.cache import cache_location

            self._cache_location = cache_location(
                self.project_root, self.config["cache_dir"], self.config.sources["cache_dir"], self.options.notice
            )
        return self._cache_location

    def _changed_lines(self) -> tuple[dict[str, set[int] | None] | None, Path | None]:
        if self.options.diff_ref is None:
            return None, None
        from minimise.gitdiff import GitError, changed_lines

        try:
            git_root, changed = changed_lines(self.options.diff_ref, self.root)
        except GitError as exc:
            raise SessionError(f"--diff {self.options.diff_ref}: {exc}") from None
        return changed, git_root

    def _on_changed_line(self, finding: Finding, git_root: Path, changed: dict[str, set[int] | None]) -> bool:
        try:
            rel = (self.project_root / finding.path).resolve().relative_to(git_root.resolve()).as_posix()
        except ValueError:
            return False
        if rel not in changed:
            return False
        lines = changed[rel]
        return lines is None or finding.line in lines

    def _committed_literals(self, tests_left_out: list[str], report: Report) -> list[Finding]:
        """MIN701 in the test code left out: there, real personal data written as literals is what matters.

        Literals are found without the parser, so this costs a read per test file, not an analysis.
        """
        from minimise.cache import ResultCache
        from minimise.checks import default_findings
        from minimise.literals import CATEGORIES, literal_points, phones_shared_across_files
        from minimise.model import FileResult
        from minimise.source import SourceError, decode_source
        from minimise.suppress import find_suppressions, is_suppressed

        cache_dir = self._cache_dir()
        cache = ResultCache(cache_dir, self.engine, self.knowledge) if cache_dir is not None else None
        found: list[Finding] = []
        kept: list[tuple[FileResult, list[DataPoint]]] = []
        phones: dict[str, str] = {}
        for display in tests_left_out:
            raw = _read(self.root / display)
            if raw is None:
                continue
            # A test file's literals depend on its bytes only: a re-scan reads them from the cache.
            key = cache.key(raw, "literals\0" + display) if cache is not None else ""
            result = cache.get(key, display) if cache is not None else None
            if result is None:
                try:
                    text = decode_source(raw)
                except SourceError:
                    continue
                points = literal_points(text, display, self.knowledge.sensitivity_of)
                result = FileResult(display, data_points=points, suppressions=find_suppressions(text) if points else ())
                if cache is not None:
                    cache.put(key, result)
            if not result.data_points:
                continue
            if any(p.category == CATEGORIES["phone"] for p in result.data_points):
                try:
                    phones[display] = decode_source(raw)
                except SourceError:
                    pass
            kept.append((result, [self.rebase_point(p) for p in result.data_points]))
        fixtures = phones_shared_across_files(phones)
        for result, rebased in kept:
            rebased = [p for p in rebased if (result.path, p.line, p.category) not in fixtures]
            report.data_points.extend(rebased)
            found.extend(
                f
                for f in default_findings(rebased, self.knowledge)
                if not is_suppressed(result.suppressions, f.line, f.code)
            )
        return found

    def _unparsed_findings(self, report: Report) -> list[Finding]:
        """MIN001 for each file that names personal data but could not be parsed or decoded.

        The error stays in ``report.errors`` too: that list is where every report says what was not analysed.
        """
        found: list[Finding] = []
        for error in report.errors:
            if not error.message.startswith(_NOT_ABOUT_THE_TEXT):
                finding = self._unparsed_finding(error, _read_head(self.project_root / error.path))
                if finding is not None:
                    found.append(finding)
        return found

    def _unparsed_finding(self, error: ScanError, raw: bytes | None) -> Finding | None:
        from minimise.engine import OVER_BUDGET
        from minimise.prefilter import Prefilter
        from minimise.selection import SESSION_CODES

        if raw is None or error.message.startswith(_NOT_ABOUT_THE_TEXT) or not Prefilter(self.knowledge).wants(raw):
            return None
        if error.message.startswith(OVER_BUDGET) and generated_by_a_tool(raw):
            return None  # a code generator's output over budget: listed under errors, no one's code to fix
        name, severity = SESSION_CODES["MIN001"]
        digest = hashlib.sha256("\0".join(("MIN001", error.path, error.message)).encode()).hexdigest()[:20]
        return Finding(
            code="MIN001",
            name=name,
            severity=severity,
            path=error.path,
            line=max(error.line, 1),
            column=1,
            category="",
            action="",
            message=f"names personal data but {error.message}"
            if error.message.startswith(OVER_BUDGET)
            else f"names personal data but was not analysed: {error.message}",
            fingerprint=digest,
        )

    def _suppression_findings(self, targets: list[Target], captured: list[Finding]) -> list[Finding]:
        from minimise.source import SourceError, decode_source
        from minimise.suppress import parse_suppressions, suppression_findings

        by_path: dict[str, list[Finding]] = {}
        for finding in captured:
            by_path.setdefault(finding.path, []).append(finding)
        found: list[Finding] = []
        for target in targets:
            raw = _read(target.path)
            if raw is None or b"minimise:" not in raw:
                continue
            try:
                text = decode_source(raw)
            except SourceError:
                continue
            path = self.relative(target.display)
            found.extend(
                suppression_findings(
                    path,
                    parse_suppressions(text),
                    by_path.get(path, ()),
                    self.config["require_suppression_reason"],
                    self.config["report_unused_suppressions"],
                )
            )
        return found

    def _apply_baseline(self, outcome: Outcome, partial: bool) -> None:
        if not (self.options.use_baseline and self.config["baseline"]):
            return
        from minimise.baseline import BaselineError, compare, load

        try:
            baseline = load(Path(self.config["baseline"]))
        except BaselineError as exc:
            raise SessionError(str(exc)) from None
        comparison = compare(outcome.report.findings, baseline, outcome.scanned if partial else None)
        outcome.report.findings = comparison.new
        outcome.stale = comparison.stale
        outcome.baselined = len(comparison.matched)
        outcome.baselined_findings = comparison.matched


def _read(path: Path) -> bytes | None:
    from minimise.source import MAX_SOURCE_BYTES

    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


# What code generators write at the top of their output (generateDS, protoc, Thrift, `@generated`).
_GENERATED = re.compile(
    rb"@generated|DO NOT EDIT|Generated [^\n]{0,80}\bby [\w.-]+\.py|generated by the protocol buffer compiler",
    re.IGNORECASE,
)


def generated_by_a_tool(head: bytes) -> bool:
    """Whether a file's first lines say a code generator wrote it."""
    return _GENERATED.search(b"\n".join(head.split(b"\n", 20)[:20])) is not None


def _read_head(path: Path) -> bytes | None:
    """The file's bytes for the prefilter; of a file over the size budget, its first 64 MiB."""
    try:
        with path.open("rb") as stream:
            return stream.read(_MAX_PREFILTER_BYTES)
    except OSError:
        return None


def load_rules(engine: Any) -> Knowledge:
    """The shipped rules plus the team's rule files; a broken file is a SessionError naming it."""
    from minimise.yamlio import YamlError

    try:
        return engine.knowledge()  # type: ignore[no-any-return]
    except YamlError as exc:
        raise SessionError(str(exc)) from None
    except OSError as exc:
        raise SessionError(f"{exc.filename or 'rules'}: cannot read: {exc.strerror or exc}") from None


def selection_of(config: Config, knowledge: Knowledge) -> Selection:
    """The configuration's select / ignore / extend-select / per-file-ignores, validated against known codes."""
    from minimise.selection import SelectionError, build_selection, known_codes

    def origin(key: str, flag: str) -> str:
        source = config.sources.get(key, "")
        if source == "command line":
            return flag
        return config.lines.get(key, source) + f": {key.replace('_', '-')}"

    try:
        return build_selection(
            config["select"],
            config["ignore"],
            known_codes(knowledge),
            config["extend_select"],
            config["per_file_ignores"],
            where={
                "select": origin("select", "--select"),
                "ignore": origin("ignore", "--ignore"),
                "extend_select": origin("extend_select", "--extend-select"),
                "per_file_ignores": origin("per_file_ignores", "--per-file-ignores"),
            },
        )
    except SelectionError as exc:
        raise SessionError(str(exc)) from None
