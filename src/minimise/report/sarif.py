"""The SARIF 2.1.0 report, for GitHub code scanning and other SARIF viewers.

One run; the driver lists every check as a rule (with its documentation as help); each finding
becomes a result located relative to ``%SRCROOT%``. No timestamps, no absolute paths in results,
everything sorted: the same scan gives the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from minimise import __version__
from minimise.model import Finding, Report, ScanError
from minimise.redact import redact_text

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/minimise/minimise"
FINGERPRINT_KEY = "minimiseFingerprint/v1"
SRCROOT = "%SRCROOT%"
_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


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


def _location(path: str, line: int, column: int, root: Path, srcroot: Path) -> dict[str, Any]:
    """A physicalLocation for a report path (relative to the scan root, '/'-separated)."""
    absolute = _absolute(root / path)
    artifact: dict[str, Any]
    try:
        artifact = {"uri": _uri(absolute.relative_to(srcroot).as_posix()), "uriBaseId": SRCROOT}
    except ValueError:
        # Outside the source root (a path given on the command line from elsewhere): absolute URI.
        artifact = {"uri": absolute.as_uri()}
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if line >= 1:
        region: dict[str, Any] = {"startLine": line}
        if column >= 1:
            region["startColumn"] = column
        physical["region"] = region
    return {"physicalLocation": physical}


def _rule(check: Any) -> dict[str, Any]:
    from minimise.ruledocs import render_rule_body, render_rule_text, rule_url

    tags = ["privacy", "personal-data"]
    action = check.applies.get("action")
    if isinstance(action, str) and action not in tags:
        tags.append(action)
    return {
        "id": check.code,
        "name": check.name,
        "shortDescription": {"text": check.summary.strip()},
        "fullDescription": {"text": " ".join(check.what.split())},
        "help": {"text": render_rule_text(check), "markdown": render_rule_body(check)},
        "helpUri": rule_url(check.code),
        "defaultConfiguration": {"level": _level(check.severity)},
        "properties": {"tags": tags},
    }


def _fallback_rule(finding: Finding) -> dict[str, Any]:
    """A rule for a finding whose code is not a shipped check (a policy's own code)."""
    return {
        "id": finding.code,
        "name": finding.name or finding.code,
        "shortDescription": {"text": finding.name or finding.code},
        "defaultConfiguration": {"level": _level(finding.severity)},
        "properties": {"tags": ["privacy", "personal-data"]},
    }


def _result(finding: Finding, index: int, root: Path, srcroot: Path) -> dict[str, Any]:
    properties: dict[str, Any] = {"category": finding.category, "action": finding.action}
    if finding.sensitivity:
        properties["sensitivity"] = finding.sensitivity
    if finding.identifier:
        properties["identifier"] = redact_text(finding.identifier)
    return {
        "ruleId": finding.code,
        "ruleIndex": index,
        "level": _level(finding.severity),
        "message": {"text": redact_text(finding.message)},
        "locations": [_location(finding.path, finding.line, finding.column, root, srcroot)],
        "partialFingerprints": {FINGERPRINT_KEY: finding.fingerprint},
        "properties": properties,
    }


def _notification(error: ScanError, root: Path, srcroot: Path) -> dict[str, Any]:
    return {
        "level": "error",
        "message": {"text": f"{error.path}: not analysed: {redact_text(error.message)}"},
        "locations": [_location(error.path, error.line, 0, root, srcroot)],
    }


def sarif_dict(report: Report, srcroot: str | Path | None = None) -> dict[str, Any]:
    """The SARIF log as a dict. ``srcroot`` defaults to the repository top level above the scan root."""
    from minimise.ruledocs import all_checks

    root = _absolute(Path(report.root))
    base = _absolute(Path(srcroot)) if srcroot is not None else find_source_root(root)
    checks = all_checks()
    rules = [_rule(checks[code]) for code in sorted(checks)]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    for finding in sorted(report.findings, key=lambda f: f.code):
        if finding.code not in index:
            index[finding.code] = len(rules)
            rules.append(_fallback_rule(finding))
    findings = sorted(report.findings, key=Finding.sort_key)
    errors = sorted(report.errors, key=lambda e: (e.path, e.line, e.message))
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "minimise",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        # Files that could not be analysed do not fail the run; each is a notification.
                        "executionSuccessful": True,
                        "toolExecutionNotifications": [_notification(e, root, base) for e in errors],
                    }
                ],
                "originalUriBaseIds": {SRCROOT: {"uri": base.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": [_result(f, index[f.code], root, base) for f in findings],
            }
        ],
    }


def render(report: Report, stream: TextIO, srcroot: str | Path | None = None, **_options: object) -> None:
    json.dump(sarif_dict(report, srcroot), stream, indent=2, ensure_ascii=False)
    stream.write("\n")
