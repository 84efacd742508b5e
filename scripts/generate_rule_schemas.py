#!/usr/bin/env python3
"""Write rules/schema/<file>.schema.json, the JSON Schema of each rule file and of a team's rule file.

Usage: python scripts/generate_rule_schemas.py [--check]

--check writes nothing and exits 1 when a schema is missing or out of date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from generated_files import run

from minimise.knowledge.schema import SCHEMA_FILES, rule_file_schema, schema_file_name

OUT = Path(__file__).resolve().parents[1] / "rules" / "schema"


def expected_files() -> dict[Path, str]:
    return {OUT / schema_file_name(n): json.dumps(rule_file_schema(n), indent=2) + "\n" for n in SCHEMA_FILES}


def main(argv: list[str] | None = None) -> int:
    return run(__doc__.splitlines()[0], "generate_rule_schemas.py", expected_files, argv)


if __name__ == "__main__":
    sys.exit(main())
