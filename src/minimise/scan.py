"""Orchestrating a scan: discover, analyse every file, raise findings, apply suppressions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from minimise.checks import default_findings
from minimise.discover import discover
from minimise.engine import EngineOptions, run_files
from minimise.model import DataPoint, Finding, Report, ScanError
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
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Turns data points into findings; the default policy unless an inventory is used.
    policy: Callable[[list[DataPoint]], list[Finding]] | None = None


def scan(options: ScanOptions, progress: Callable[[int, int], None] | None = None) -> Report:
    report = Report(root=str(options.root))
    problems: list[ScanError] = []
    targets = list(
        discover(
            options.paths, options.root, options.include_migrations, options.follow_symlinks, options.exclude, problems
        )
    )
    suppressions: dict[str, tuple[tuple[int, tuple[str, ...], str], ...]] = {}
    for result in run_files(targets, options.engine, options.jobs, options.cache_dir, progress):
        report.files_scanned += 1
        report.data_points.extend(result.data_points)
        if result.error is not None:
            report.errors.append(result.error)
        if result.suppressions:
            suppressions[result.path] = result.suppressions
    report.errors.extend(problems)
    knowledge = options.engine.knowledge()
    findings = options.policy(report.data_points) if options.policy else default_findings(report.data_points, knowledge)
    report.findings = filter_findings(findings, suppressions, options.select, options.ignore)
    report.suppressed = len(findings) - len(report.findings)  # type: ignore[attr-defined]
    report.sort()
    return report


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
