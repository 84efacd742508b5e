"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run; the driver lists every check as a rule with GitHub's security metadata (tags with
`security` and the CWE, `precision`, `security-severity`) and its whole documentation as help
(linked with `helpUri` only when the configuration names a `docs-url`). Each
finding becomes a result located relative to ``%SRCROOT%``, with a masked snippet and, when
the analysis followed the data across lines or modules, a code flow. No timestamps and no
absolute paths unless asked for; everything sorted: the same scan gives the same bytes.
GitHub's upload limits are kept (see docs/reports.md): a run is cut to the most severe results
with a notification saying so.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO
from urllib.parse import quote

from minimise import __version__
from minimise.model import Finding, Report, ScanError, Step
from minimise.redact import redact_text
from minimise.report import scoring
from minimise.report.context import RenderContext, default_context
from minimise.report.sources import Sources, clip

if TYPE_CHECKING:
    from minimise.knowledge import Check

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
FINGERPRINT_KEY = "minimiseFingerprint/v1"
SRCROOT = "%SRCROOT%"
CATEGORY = "minimise"
# GitHub code scanning: a run may hold 25,000 results but only the 5,000 most severe are kept;
# a result may hold 10,000 thread-flow locations but only 1,000 are shown; only 10 tags per
# rule are shown. Cutting here lets minimise choose what stays, and say so.
MAX_RESULTS = 5000
MAX_FLOW_LOCATIONS = 1000
MAX_TAGS = 10
CONTEXT_LINES = 2
_NAME = re.compile(r"[A-Za-z_][\w.]*")
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}
_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def _level(severity: str) -> str:
    return _LEVELS.get(severity, "warning")


def find_source_root(root: Path) -> Path:
    """The repository top level above ``root`` (a folder holding `.git`), else ``root`` itself.

    GitHub code scanning resolves result paths against the repository root, so scanning a
    sub-folder (``minimise scan src``) must still give ``src/app.py``, not ``app.py``.
    """
    start = _absolute(root)
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def _absolute(path: Path) -> Path:
    """Absolute and normalised, without following symbolic links (reports show links as found)."""
    return Path(os.path.abspath(path))


def _uri(path: str) -> str:
    return quote(path.replace("\\", "/"), safe="/")


class _Locator:
    """SARIF locations for report paths: relative to %SRCROOT%, with masked snippets from the source."""

    def __init__(self, root: Path, srcroot: Path, absolute: bool) -> None:
        self.root, self.srcroot, self.absolute = root, srcroot, absolute
        self.sources = Sources(root)

    def artifact(self, path: str) -> dict[str, Any]:
        target = _absolute(self.root / path)
        if self.absolute:
            return {"uri": target.as_uri()}
        try:
            relative = os.path.relpath(target, self.srcroot)
        except ValueError:  # another drive (Windows): no relative path exists
            relative = target.name
        return {"uri": _uri(Path(relative).as_posix()), "uriBaseId": SRCROOT}

    def region(self, path: str, line: int, column: int) -> dict[str, Any] | None:
        if line < 1:
            return None
        region: dict[str, Any] = {"startLine": line}
        text = self.sources.line(path, line)
        if text is None:
            if column >= 1:
                region["startColumn"] = column
            return region
        code = text.rstrip()
        start = column if column >= 1 else len(code) - len(code.lstrip()) + 1
        region["startColumn"] = start
        if len(code) >= start:
            # The name the finding is about (`user.email`, `card_number`); else the rest of the line.
            name = _NAME.match(code, start - 1)
            end = name.end() if name and column >= 1 else len(code)
            region["endLine"] = line
            region["endColumn"] = end + 1
            region["snippet"] = {"text": redact_text(clip(code[start - 1 : end]))}
        return region

    def context_region(self, path: str, line: int) -> dict[str, Any] | None:
        lines = self.sources.lines(path)
        if lines is None or not 1 <= line <= len(lines):
            return None
        first, last = max(1, line - CONTEXT_LINES), min(len(lines), line + CONTEXT_LINES)
        text = "\n".join(redact_text(clip(lines[n - 1])) for n in range(first, last + 1))
        return {"startLine": first, "endLine": last, "snippet": {"text": text}}

    def location(self, path: str, line: int, column: int = 0, with_context: bool = False) -> dict[str, Any]:
        physical: dict[str, Any] = {"artifactLocation": self.artifact(path)}
        region = self.region(path, line, column)
        if region is not None:
            physical["region"] = region
            if with_context:
                context = self.context_region(path, line)
                if context is not None:
                    physical["contextRegion"] = context
        return {"physicalLocation": physical}


def _tags(check: Check) -> list[str]:
    tags = ["security"] if check.cwe else []
    tags += ["privacy", "personal-data"]
    action = check.applies.get("action")
    if isinstance(action, str) and action not in tags:
        tags.append(action)
    tags += [f"external/cwe/cwe-{cwe}" for cwe in check.cwe]
    return tags[:MAX_TAGS]


def _rule(check: Check, docs_url: str) -> dict[str, Any]:
    """The rule with its whole documentation as help; `helpUri` only where the team publishes the
    pages (`docs-url`): there is no public site to link to otherwise."""
    from minimise.ruledocs import render_rule_body, render_rule_text, rule_url

    properties: dict[str, Any] = {"tags": _tags(check)}
    if check.precision:
        properties["precision"] = check.precision
    properties["problem.severity"] = _PROBLEM_SEVERITY.get(check.severity, "warning")
    if check.cwe:
        properties["security-severity"] = scoring.text(scoring.rule_score(check))
    rule: dict[str, Any] = {
        "id": check.code,
        "name": check.name,
        "shortDescription": {"text": check.summary.strip()},
        "fullDescription": {"text": " ".join(check.what.split())},
        "help": {"text": render_rule_text(check), "markdown": render_rule_body(check)},
    }
    page = rule_url(check.code, docs_url)
    if page:
        rule["helpUri"] = page
    rule["defaultConfiguration"] = {"level": _level(check.severity)}
    rule["properties"] = properties
    return rule


def _fallback_rule(finding: Finding) -> dict[str, Any]:
    """A rule for a finding whose code is not a shipped check (a policy's own code)."""
    name = finding.name or finding.code
    return {
        "id": finding.code,
        "name": name,
        "shortDescription": {"text": name},
        "fullDescription": {"text": name},
        "help": {"text": name},
        "defaultConfiguration": {"level": _level(finding.severity)},
        "properties": {"tags": ["privacy", "personal-data"], "problem.severity": _PROBLEM_SEVERITY["warning"]},
    }


def _flow(finding: Finding, locator: _Locator) -> list[dict[str, Any]]:
    """One code flow: the finding's steps in order (from the finding's line across the project's
    own functions to the sink), with the finding's place added at the end when no step is there."""
    steps = list(finding.steps)
    if not steps:
        return []
    if not any((s.path, s.line) == (finding.path, finding.line) for s in steps):
        steps.append(Step(finding.path, finding.line, f"{finding.action} via {finding.via or finding.code}"))
    if len(steps) > MAX_FLOW_LOCATIONS:
        # Keep where the data came from and where it ended up; say how much was skipped.
        skipped = len(steps) - MAX_FLOW_LOCATIONS + 1
        steps = [
            *steps[: MAX_FLOW_LOCATIONS - 2],
            Step(steps[-2].path, steps[-2].line, f"… {skipped} steps"),
            steps[-1],
        ]
    locations = []
    for index, step in enumerate(steps):
        location = locator.location(step.path, step.line)
        location["message"] = {"text": redact_text(step.message)}
        locations.append({"location": location, "executionOrder": index + 1})
    return [{"threadFlows": [{"locations": locations}]}]


def _result(
    finding: Finding, index: int, locator: _Locator, context: RenderContext, baseline_used: bool
) -> dict[str, Any]:
    properties: dict[str, Any] = {"category": finding.category, "action": finding.action}
    if finding.sensitivity:
        properties["sensitivity"] = finding.sensitivity
    if finding.identifier:
        properties["identifier"] = redact_text(finding.identifier)
    properties["security-severity"] = scoring.text(scoring.finding_score(finding))
    properties["inTests"] = context.in_tests(finding.path)
    result: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": _level(finding.severity),
        "message": {"text": redact_text(finding.message)},
        "locations": [locator.location(finding.path, finding.line, finding.column, with_context=True)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }
    flows = _flow(finding, locator)
    if flows:
        result["codeFlows"] = flows
    if finding.reached_from:
        result["relatedLocations"] = [
            {**locator.location(step.path, step.line), "id": number, "message": {"text": redact_text(step.message)}}
            for number, step in enumerate(finding.reached_from, 1)
        ]
    if baseline_used:
        result["baselineState"] = "new"  # baselined findings are left out of the report
    return result


def _notification(error: ScanError, locator: _Locator) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": f"{error.path}: not analysed: {redact_text(error.message)}"},
        "locations": [locator.location(error.path, error.line)],
    }


def _kept(findings: list[Finding], limit: int) -> tuple[list[Finding], int]:
    """The ``limit`` most urgent findings (severity, then sensitivity) in report order, and how many were cut."""
    if limit <= 0 or len(findings) <= limit:
        return sorted(findings, key=Finding.sort_key), 0
    kept = scoring.by_priority(findings)[:limit]
    return sorted(kept, key=Finding.sort_key), len(findings) - limit


def _cut_notice(cut: int, total: int, limit: int) -> dict[str, Any]:
    return {
        "level": "warning",
        "descriptor": {"id": "minimise/results-truncated"},
        "message": {
            "text": f"{cut} of {total} results left out: GitHub code scanning keeps at most {limit:,} results "
            "per run, so this run holds the most severe ones (by severity, then data sensitivity). "
            "`minimise scan --format json` or `--format html` lists every finding."
        },
    }


def sarif_dict(
    report: Report,
    srcroot: str | Path | None = None,
    context: RenderContext | None = None,
    max_results: int = MAX_RESULTS,
    absolute_srcroot: bool = False,
) -> dict[str, Any]:
    """The SARIF log as a dict. ``srcroot`` defaults to the repository top level above the scan root;
    ``absolute_srcroot`` records it as a ``file:`` URI (left out by default: it names the machine)."""
    context = context or default_context(report)
    root = _absolute(Path(report.root))
    base = _absolute(Path(srcroot)) if srcroot is not None else find_source_root(root)
    locator = _Locator(root, base, absolute=False)
    checks = context.checks
    rules = [_rule(checks[code], context.docs_url) for code in sorted(checks)]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    for finding in sorted(report.findings, key=lambda f: f.code):
        if finding.code not in index:
            index[finding.code] = len(rules)
            rules.append(_fallback_rule(finding))
    findings, cut = _kept(list(report.findings), max_results)
    errors = sorted(report.errors, key=lambda e: (e.path, e.line, e.message))
    notifications = [_notification(e, locator) for e in errors]
    if cut:
        notifications.append(_cut_notice(cut, len(report.findings), max_results))
    srcroot_entry: dict[str, Any] = (
        {"uri": base.as_uri().rstrip("/") + "/"}
        if absolute_srcroot
        else {"description": {"text": "The top level of the scanned repository (or the scan root outside git)."}}
    )
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "minimise",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"{CATEGORY}/{context.commit}"},
        "invocations": [
            {
                # Files that could not be analysed do not fail the run; each is a notification.
                "executionSuccessful": True,
                "toolExecutionNotifications": notifications,
            }
        ],
        "originalUriBaseIds": {SRCROOT: srcroot_entry},
        "columnKind": "unicodeCodePoints",
        "results": [_result(f, index[f.code], locator, context, context.baseline is not None) for f in findings],
    }
    revision = {k: v for k, v in (("commit", context.commit), ("branch", context.branch)) if v}
    if revision:
        run["properties"] = revision
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def render(
    report: Report,
    stream: TextIO,
    srcroot: str | Path | None = None,
    context: RenderContext | None = None,
    max_results: int = MAX_RESULTS,
    absolute_srcroot: bool = False,
    **_options: object,
) -> None:
    document = sarif_dict(report, srcroot, context, max_results, absolute_srcroot)
    json.dump(document, stream, indent=2, ensure_ascii=False)
    stream.write("\n")
