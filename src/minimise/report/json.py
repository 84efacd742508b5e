"""The JSON report: the stable `minimise-report/1` contract documented in docs/json-report.md."""

from __future__ import annotations

import json
from typing import TextIO

from minimise import __version__
from minimise.model import Report
from minimise.redact import redact_json, redact_text


def report_dict(report: Report) -> dict[str, object]:
    return {
        "schema": "minimise-report/1",
        "tool": {"name": "minimise", "version": __version__},
        "data_points": [redact_json(p.to_json()) for p in report.data_points],
        "findings": [{**f.to_json(), "message": redact_text(f.message)} for f in report.findings],
        "errors": [{**e.to_json(), "message": redact_text(e.message)} for e in report.errors],
    }


def render(report: Report, stream: TextIO, **_options: object) -> None:
    json.dump(report_dict(report), stream, indent=2, sort_keys=False, ensure_ascii=False)
    stream.write("\n")
