"""The write-or-check command line every generator script in scripts/ shares."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from minimise.atomic import atomic_write


def run(description: str, script: str, expected_files: Callable[[], dict[Path, str]], argv: list[str] | None) -> int:
    """Write the files that are out of date, or with --check only name them and exit 1."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="only report out-of-date files; exit 1 if any")
    args = parser.parse_args(argv)
    stale = {p: t for p, t in expected_files().items() if not p.is_file() or p.read_text(encoding="utf-8") != t}
    if args.check:
        for path in stale:
            print(f"{path}: out of date; run scripts/{script}", file=sys.stderr)
        return 1 if stale else 0
    for path, text in stale.items():
        atomic_write(path, text)
        print(f"wrote {path}")
    return 0
