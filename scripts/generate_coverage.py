#!/usr/bin/env python3
"""Write docs/coverage.md and the README's "What it finds" table from rules/sources.yaml and rules/sinks.yaml.

Usage: python scripts/generate_coverage.py [--check]

--check writes nothing and exits 1 when either file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from generated_files import run

from minimise.knowledge import shipped_documents
from minimise.knowledge.coverage import render_coverage_page, render_readme_table, replace_readme_table

ROOT = Path(__file__).resolve().parents[1]


def expected_files() -> dict[Path, str]:
    documents = shipped_documents()
    readme = ROOT / "README.md"
    return {
        ROOT / "docs" / "coverage.md": render_coverage_page(documents),
        readme: replace_readme_table(readme.read_text(encoding="utf-8"), render_readme_table(documents)),
    }


def main(argv: list[str] | None = None) -> int:
    return run(__doc__.splitlines()[0], "generate_coverage.py", expected_files, argv)


if __name__ == "__main__":
    sys.exit(main())
