#!/usr/bin/env python3
"""Write rules/schema/<file>.schema.json, the JSON Schema of each rule file and of a team's rule file.

Usage: python scripts/generate_rule_schemas.py [--check]

--check writes nothing and exits 1 when a schema is missing or out of date.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from minimise.atomic import atomic_write
from minimise.knowledge.schema import SCHEMA_FILES, rule_file_schema, schema_file_name

OUT = Path(__file__).resolve().parents[1] / "rules" / "schema"


def expected_files() -> dict[Path, str]:
    return {OUT / schema_file_name(n): json.dumps(rule_file_schema(n), indent=2) + "\n" for n in SCHEMA_FILES}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report out-of-date files; exit 1 if any")
    args = parser.parse_args(argv)
    stale = {p: t for p, t in expected_files().items() if not p.is_file() or p.read_text(encoding="utf-8") != t}
    if args.check:
        for path in stale:
            print(f"{path}: out of date; run scripts/generate_rule_schemas.py", file=sys.stderr)
        return 1 if stale else 0
    for path, text in stale.items():
        atomic_write(path, text)
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
