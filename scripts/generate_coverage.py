#!/usr/bin/env python3
"""Write docs/coverage.md and the README's "What it finds" table from rules/sources.yaml and rules/sinks.yaml.

Usage: python scripts/generate_coverage.py [--check]

--check writes nothing and exits 1 when either file is out of date.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from minimise.atomic import atomic_write
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
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files; exit 1 if any")
    args = parser.parse_args(argv)
    stale = {p: t for p, t in expected_files().items() if not p.is_file() or p.read_text(encoding="utf-8") != t}
    if args.check:
        for path in stale:
            print(f"{path}: out of date; run scripts/generate_coverage.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in stale.items():
        atomic_write(path, text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
