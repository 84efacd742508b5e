"""Renderers: one small function per output format, all fed the same sorted Report."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from minimise.model import Report

# name -> "module:function"; each renderer is render(report, stream, **options).
RENDERERS: dict[str, str] = {
    "text": "minimise.report.text:render",
    "json": "minimise.report.json:render",
    "sarif": "minimise.report.sarif:render",
    "html": "minimise.report.html:render",
    "markdown": "minimise.report.markdown:render",
}


def get_renderer(name: str) -> Callable[..., None]:
    module_name, function = RENDERERS[name].split(":")
    return getattr(importlib.import_module(module_name), function)  # type: ignore[no-any-return]


def render(report: Report, fmt: str, stream: TextIO, **options: object) -> None:
    get_renderer(fmt)(report, stream, **options)
