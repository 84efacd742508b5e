#!/usr/bin/env python3
"""Write docs/rules/<CODE>.md and docs/rules/README.md from rules/checks.yaml and inventory/checks.yaml.

Usage: python scripts/generate_rule_docs.py [--check] [--out DIR]

--check writes nothing and exits 1 when any file is missing, stale or left over.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from minimise.ruledocs import all_checks, expected_files

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "docs" / "rules"


def stale_files(out: Path, files: dict[str, str]) -> list[str]:
    """Names of files that differ from the generator's output, are missing, or are no longer generated."""
    problems = []
    for name, content in sorted(files.items()):
        path = out / name
        if not path.is_file() or path.read_text(encoding="utf-8") != content:
            problems.append(name)
    if out.is_dir():
        problems += sorted(p.name for p in out.glob("*.md") if p.name not in files)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files; exit 1 if any")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: docs/rules)")
    args = parser.parse_args(argv)
    files = expected_files(all_checks().values())
    problems = stale_files(args.out, files)
    if args.check:
        for name in problems:
            print(f"{args.out / name}: out of date; run scripts/generate_rule_docs.py", file=sys.stderr)
        return 1 if problems else 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name in problems:
        path = args.out / name
        if name in files:
            path.write_text(files[name], encoding="utf-8", newline="\n")
            print(f"wrote {path}")
        else:
            path.unlink()
            print(f"removed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
