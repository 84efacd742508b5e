"""Orchestrating a scan: discover, analyse every file, raise findings, apply suppressions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from minimise.analysis.caught_raises import drop_caught_raises
from minimise.analysis.column_writes import protect_by_writes, protect_user_writes
from minimise.analysis.constant_arguments import drop_parameters_given_settings, protect_parameters_given_protected
from minimise.analysis.project import link
from minimise.analysis.project_index import Project
from minimise.analysis.sessions import place_sessions
from minimise.analysis.summary import ModuleSummary, summary_from_json
from minimise.checks import default_findings
from minimise.deferral import linked_summaries, reached
from minimise.discover import Target, discover, module_name
from minimise.engine import EngineOptions, merge_points, run_files
from minimise.model import DataPoint, FileResult, Finding, Report, ScanError
from minimise.summary_index import SummaryIndex
from minimise.suppress import is_suppressed


@dataclass
class ScanOptions:
    paths: list[Path]
    root: Path
    engine: EngineOptions = field(default_factory=EngineOptions)
    jobs: int = 0
    cache_dir: Path | None = None
    include_migrations: bool = False
    follow_symlinks: bool = False
    exclude: tuple[str, ...] = ()
    # Whether test code is part of the project (the session's include_tests); the project context
    # of a partial scan must be the same files a full scan would analyse.
    include_tests: bool = True
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Link against the summaries of the project's other files when only some are scanned.
    project_context: bool = True
    # Turns data points into findings; the default policy unless an inventory is used.
    policy: Callable[[list[DataPoint]], list[Finding]] | None = None
    # Extra findings from every module summary and data point (erasure coverage, MIN601).
    project_checks: Callable[[list[ModuleSummary], list[DataPoint]], list[Finding]] | None = None
    # Where each target's FileResult comes from: the engine, unless given (the shards of a sharded scan).
    results: Callable[[list[Target]], Iterable[FileResult]] | None = None
    # Leave unparsed the files only an importing module could need, until one does (minimise.deferral);
    # off where every summary is wanted for itself (the erasure checks read every module's functions).
    defer_summaries: bool = True


def scan(options: ScanOptions, progress: Callable[[int, int], None] | None = None) -> Report:
    report = Report(root=str(options.root))
    problems: list[ScanError] = []
    targets = list(
        discover(
            options.paths, options.root, options.include_migrations, options.follow_symlinks, options.exclude, problems
        )
    )
    suppressions: dict[str, tuple[tuple[int, tuple[str, ...], str], ...]] = {}
    summaries: list[ModuleSummary] = []
    index = _summary_index(options)
    scanned = {t.display for t in targets}
    context: list[ModuleSummary] = []
    # Each analysed target's summary, read once: by the deferral rounds, then by the link.
    parsed_of: dict[int, ModuleSummary | None] = {}
    gathered = False

    def gather_context() -> None:
        # The other files' summaries are read while the workers start on these files.
        nonlocal gathered
        gathered = True
        context.extend(project_context(options, scanned, index))

    produced = (
        options.results(targets)
        if options.results is not None
        else run_files(
            targets,
            options.engine,
            options.jobs,
            options.cache_dir,
            progress,
            gather_context,
            defer=options.defer_summaries,
            reach=_reach(targets, context, parsed_of) if options.defer_summaries else None,
        )
    )
    results = list(produced)
    if not gathered:
        gather_context()
    for i, (target, result) in enumerate(zip(targets, results, strict=True)):
        parsed = parsed_of[i] if i in parsed_of else _parsed(result)
        if index is not None and not result.deferred:
            index.record(target, result.summary)
        report.files_scanned += 1
        report.data_points.extend(result.data_points)
        if result.error is not None:
            report.errors.append(result.error)
        if result.suppressions:
            suppressions[result.path] = result.suppressions
        if parsed is not None:
            summaries.append(parsed)
    report.errors.extend(problems)
    knowledge = options.engine.knowledge()
    summaries += context
    if options.defer_summaries:
        summaries = linked_summaries(summaries)
    if index is not None:
        index.save()
    project = Project(summaries)
    linked = [p for p in link(summaries, knowledge, scanned, project) if p.path in scanned]
    person = knowledge.classifier.person
    # A setter's protection first: the column's verdict counts the writes through it as what they store.
    # Callers' protection first: a parameter's write counts as what every caller hands it.
    merged = protect_parameters_given_protected(list(merge_points(report.data_points, linked)), project)
    merged = protect_user_writes(merged, summaries, person)
    merged = protect_by_writes(merged, summaries, person)
    merged = drop_caught_raises(merged, project)
    merged = drop_parameters_given_settings(merged, project)
    report.data_points = place_sessions(merged, summaries, knowledge)
    findings = options.policy(report.data_points) if options.policy else default_findings(report.data_points, knowledge)
    if options.project_checks is not None:
        findings += options.project_checks(summaries, report.data_points)
    report.findings = filter_findings(findings, suppressions, options.select, options.ignore)
    report.sort()
    return report


def _parsed(result: FileResult) -> ModuleSummary | None:
    return summary_from_json(result.path, result.summary) if result.summary is not None else None


def _reach(
    targets: list[Target], context: list[ModuleSummary], parsed: dict[int, ModuleSummary | None]
) -> Callable[[dict[int, FileResult]], list[int]]:
    """Which deferred targets the analysed ones (and the project context) reach, for run_files.

    ``parsed`` keeps each analysed target's summary as it is read, for the caller to use too.
    """

    def needed(results: dict[int, FileResult]) -> list[int]:
        waiting: dict[str, list[int]] = {}
        for i, result in results.items():
            if result.deferred:
                waiting.setdefault(module_name(targets[i].display), []).append(i)
            elif i not in parsed:
                parsed[i] = _parsed(result)
        if not waiting:
            return []
        known = [s for s in parsed.values() if s is not None] + context
        _, wanted = reached(known, waiting)
        return [i for module in wanted for i in waiting[module]]

    return needed


def _summary_index(options: ScanOptions) -> SummaryIndex | None:
    if options.cache_dir is None:
        return None
    from minimise.cache import ResultCache

    salt = ResultCache(options.cache_dir, options.engine, options.engine.knowledge()).salt
    return SummaryIndex(options.cache_dir, salt)


def project_context(options: ScanOptions, scanned: set[str], index: SummaryIndex | None = None) -> list[ModuleSummary]:
    """Summaries of the project's other files, when only some of them are scanned (pre-commit, --diff).

    They come from the cache when it has them, and are computed (and cached) when it does not, so the
    result for the scanned files is the same as in a full scan.
    """
    if not options.project_context:
        return []
    root = options.root.resolve()
    if all(path.resolve() == root for path in options.paths):
        return []
    others = [
        t
        for t in discover(
            [options.root],
            options.root,
            options.include_migrations,
            options.follow_symlinks,
            options.exclude,
            [],
            include_tests=options.include_tests,
        )
        if t.display not in scanned
    ]
    found: list[ModuleSummary] = []
    missing = []
    for target in others:
        known, summary = index.lookup(target) if index is not None else (False, None)
        if not known:
            missing.append(target)
        elif summary is not None and (parsed := summary_from_json(target.display, summary)):
            found.append(parsed)
    for target, result in zip(
        missing, run_files(missing, options.engine, options.jobs, options.cache_dir), strict=True
    ):
        if index is not None:
            index.record(target, result.summary)
        if result.summary is not None and (parsed := summary_from_json(result.path, result.summary)):
            found.append(parsed)
    return found


def filter_findings(
    findings: list[Finding],
    suppressions: dict[str, tuple[tuple[int, tuple[str, ...], str], ...]],
    select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> list[Finding]:
    kept = []
    for finding in findings:
        if select and not any(finding.code.startswith(s) for s in select):
            continue
        if ignore and any(finding.code.startswith(s) for s in ignore):
            continue
        if is_suppressed(suppressions.get(finding.path, ()), finding.line, finding.code):
            continue
        kept.append(finding)
    return kept
