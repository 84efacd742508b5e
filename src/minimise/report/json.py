"""The JSON report: the stable `minimise-report/1` contract documented in docs/json-report.md."""

from __future__ import annotations

import json
from typing import TextIO

from minimise import __version__
from minimise.model import Finding, Report
from minimise.redact import redact_json, redact_text
from minimise.report.context import RenderContext, default_context


def _finding(finding: Finding, context: RenderContext, baselined: bool) -> dict[str, object]:
    record = {**finding.to_json(), "message": redact_text(finding.message)}
    record["steps"] = [{**step.to_json(), "message": redact_text(step.message)} for step in finding.steps]
    record["reached_from"] = [{**step.to_json(), "message": redact_text(step.message)} for step in finding.reached_from]
    record["in_tests"] = context.in_tests(finding.path)
    record["baselined"] = baselined
    return record


def report_dict(report: Report, context: RenderContext | None = None) -> dict[str, object]:
    context = context or default_context(report)
    baseline = context.baseline
    return {
        "schema": "minimise-report/1",
        "tool": {"name": "minimise", "version": __version__},
        "scan": {
            "commit": context.commit or None,
            "branch": context.branch or None,
            "inventory": context.inventory_path or None,
            "baseline": baseline.path if baseline else None,
        },
        "data_points": [redact_json(p.to_json()) for p in report.data_points],
        "findings": [_finding(f, context, False) for f in report.findings],
        "baselined_findings": [_finding(f, context, True) for f in context.baselined_findings()],
        "errors": [{**e.to_json(), "message": redact_text(e.message)} for e in report.errors],
        "summary": {
            "files_scanned": report.files_scanned,
            "files_treated_as_tests": int(getattr(report, "files_treated_as_tests", 0) or 0),
        },
    }


def render(report: Report, stream: TextIO, context: RenderContext | None = None, **_options: object) -> None:
    """One record per line inside each list: readable, diffable, and written by the C encoder.

    ``json.dump(indent=...)`` falls back to the pure-Python encoder, which made writing a
    large report slower than re-scanning a cached repository.
    """
    compact = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    data = report_dict(report, context)
    stream.write("{\n")
    keys = list(data)
    for i, key in enumerate(keys):
        value = data[key]
        end = ",\n" if i < len(keys) - 1 else "\n"
        if isinstance(value, list) and value:
            stream.write(f"  {compact(key)}: [\n")
            stream.write(",\n".join("    " + compact(item) for item in value))
            stream.write(f"\n  ]{end}")
        else:
            stream.write(f"  {compact(key)}: {compact(value)}{end}")
    stream.write("}\n")
