"""Running a rule file's annotated examples: `# expect: ACTION CATEGORY [protection]` and `# ok` lines."""

from __future__ import annotations

import re
import textwrap
from dataclasses import dataclass
from pathlib import Path

from minimise.knowledge.reader import example_line
from minimise.knowledge.records import Example, Knowledge

_EXPECT = re.compile(r"#\s*expect:\s*(.+?)\s*$")
_ITEM = re.compile(r"^(collect|store|log|share)\s+([a-z_.]+)(?:\s*\[(\w+)\])?$")

Point = tuple[int, str, str, str]  # snippet line, action, category, protection ('' when not annotated)


@dataclass(frozen=True)
class Failure:
    """One way an example disagrees with the analyser, at a line of the rule file."""

    path: str
    line: int
    owner: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.owner}: {self.message}"


class AnnotationError(ValueError):
    """An `# expect:` comment that does not parse."""

    def __init__(self, line: int, text: str) -> None:
        super().__init__(f"snippet line {line}: bad expectation {text!r} (expected ACTION CATEGORY [protection])")
        self.line = line


def expected_points(code: str) -> set[Point]:
    found: set[Point] = set()
    for number, line in enumerate(code.splitlines(), start=1):
        match = _EXPECT.search(line)
        if not match:
            continue
        for item in match.group(1).split(","):
            parsed = _ITEM.match(item.strip())
            if parsed is None:
                raise AnnotationError(number, item.strip())
            found.add((number, parsed.group(1), parsed.group(2), parsed.group(3) or ""))
    return found


def actual_points(code: str, knowledge: Knowledge, protected_lines: set[int]) -> set[Point]:
    from minimise.engine import analyse_text

    return {
        (p.line, p.action, p.category, p.protection if p.line in protected_lines else "")
        for p in analyse_text(code, "example.py", knowledge)
    }


def _describe(point: Point) -> str:
    return f"{point[1]} {point[2]}" + (f" [{point[3]}]" if point[3] else "")


def run_example(example: Example, knowledge: Knowledge) -> list[Failure]:
    """Every expected data point found, and nothing else: the example passes when this is empty."""
    try:
        expected = expected_points(example.code)
    except AnnotationError as exc:
        return [Failure(example.path, example_line(example) + exc.line - 1, example.owner, str(exc))]
    actual = actual_points(example.code, knowledge, {line for line, _, _, prot in expected if prot})
    if actual == expected:
        return []
    first = example_line(example)  # composing the YAML again is slow: only for a failing example
    failures = []
    for point in sorted(expected - actual):
        found = sorted(_describe(p) for p in actual if p[0] == point[0])
        got = ", ".join(found) if found else "nothing"
        failures.append(
            Failure(example.path, first + point[0] - 1, example.owner, f"expected {_describe(point)}, found {got}")
        )
    for point in sorted(actual - expected):
        if any(e[0] == point[0] for e in expected - actual):
            continue  # already reported as the line's mismatch
        failures.append(Failure(example.path, first + point[0] - 1, example.owner, f"unexpected {_describe(point)}"))
    return failures


def run_check_tests(
    path: Path, line: int, code: str, tests: list[dict[str, str]], knowledge: Knowledge
) -> list[Failure]:
    """A check's `invalid` snippets fire exactly on their `# error` lines; its `valid` ones never fire."""
    from minimise.checks import default_findings
    from minimise.engine import analyse_text

    failures = []
    for i, test in enumerate(tests):
        for kind in ("invalid", "valid"):
            if kind not in test:
                continue
            source = textwrap.dedent(str(test[kind]))
            findings = default_findings(list(analyse_text(source, "example.py", knowledge)), knowledge)
            lines = {f.line for f in findings if f.code == code}
            marked = {n for n, text in enumerate(source.splitlines(), 1) if text.rstrip().endswith("# error")}
            want = marked if kind == "invalid" else set()
            if lines != want:
                failures.append(
                    Failure(
                        str(path),
                        line,
                        f"checks:{code}",
                        f"tests[{i}].{kind}: fires on lines {sorted(lines) or 'none'}, marked {sorted(want) or 'none'}",
                    )
                )
    return failures
