"""Which table and columns a literal SQL statement writes: INSERT, UPDATE and CREATE TABLE."""

from __future__ import annotations

import re

SQL_INSERT = re.compile(
    r"^\s*(?:/\*.*?\*/\s*)?insert\s+(?:or\s+\w+\s+)?into\s+([\w.\"`\[\]]+)\s*\(([^)]*)\)", re.I | re.S
)
SQL_UPDATE = re.compile(r"^\s*update\s+([\w.\"`\[\]]+)\s+set\s+(.*?)(?:\bwhere\b|\breturning\b|$)", re.I | re.S)
SQL_CREATE = re.compile(r"^\s*create\s+table\s+(?:if\s+not\s+exists\s+)?([\w.\"`\[\]]+)\s*\((.*)\)", re.I | re.S)
SQL_SET_COLUMN = re.compile(r"([\w\"`\[\]]+)\s*=\s*(NULL\b|DEFAULT\b)?", re.I)


def sql_columns(text: str) -> tuple[list[str], str | None]:
    match = SQL_INSERT.match(text)
    if match:
        return [c.strip().strip('"`[]') for c in match.group(2).split(",") if c.strip()], match.group(1).strip('"`[]')
    match = SQL_UPDATE.match(text)
    if match:
        # `SET password = NULL` clears a column: nothing is written to it.
        written = [c for c, cleared in SQL_SET_COLUMN.findall(match.group(2)) if not cleared]
        return [c.strip('"`[]') for c in written], match.group(1).strip('"`[]')
    match = SQL_CREATE.match(text)
    if match:
        columns = []
        for part in match.group(2).split(","):
            words = part.strip().split()
            if words and words[0].lower() not in (
                "primary",
                "foreign",
                "unique",
                "constraint",
                "check",
                "key",
                "index",
            ):
                columns.append(words[0].strip('"`[]'))
        return columns, match.group(1).strip('"`[]')
    return [], None
