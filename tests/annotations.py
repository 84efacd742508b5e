"""Reading `# expect: ACTION CATEGORY [protection]` annotations: the rule files' own example dialect."""

from __future__ import annotations

from minimise.knowledge.examples import expected_points


def actual_points(text: str, with_protection: set[int]) -> set[tuple[int, str, str, str]]:
    from minimise.knowledge import load_knowledge
    from minimise.knowledge.examples import actual_points as points

    return points(text, load_knowledge(), with_protection)


__all__ = ["actual_points", "expected_points"]
