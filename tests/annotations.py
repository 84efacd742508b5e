"""Reading `# expect: ACTION CATEGORY [protection]` annotations from a snippet or file."""

from __future__ import annotations

import re

_EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
_ITEM = re.compile(r"^(collect|store|log|share)\s+([a-z_.]+)(?:\s*\[(\w+)\])?$")


def expected_points(text: str) -> set[tuple[int, str, str, str]]:
    """(line, action, category, protection or '') for every annotated line."""
    found = set()
    for number, line in enumerate(text.splitlines(), start=1):
        match = _EXPECT.search(line)
        if not match:
            continue
        for item in match.group(1).split(","):
            parsed = _ITEM.match(item.strip())
            if parsed is None:
                raise ValueError(f"line {number}: bad expectation {item!r}")
            found.add((number, parsed.group(1), parsed.group(2), parsed.group(3) or ""))
    return found


def actual_points(text: str, with_protection: set[int]) -> set[tuple[int, str, str, str]]:
    from minimise.engine import analyse_text
    from minimise.knowledge import load_knowledge

    return {
        (p.line, p.action, p.category, p.protection if p.line in with_protection else "")
        for p in analyse_text(text, "snippet.py", load_knowledge())
    }
