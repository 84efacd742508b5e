"""Reading one rule file: validation that names the file, key and line, and the shared example dialect."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from minimise.knowledge.records import Example
from minimise.words import split_words
from minimise.yamlio import YamlError, line_of, read_shipped_yaml, read_yaml

RULE_FILES = (
    "personal_data.yaml",
    "sources.yaml",
    "sinks.yaml",
    "sanitizers.yaml",
    "checks.yaml",
    "frameworks.yaml",
)

# The top-level sections of each shipped rule file. A team's rule file may hold any of them.
SECTIONS: dict[str, tuple[str, ...]] = {
    "personal_data.yaml": ("context", "exclude_words", "protection_words", "categories", "sensitivity", "text_values"),
    "sources.yaml": ("requests", "containers", "values", "input_functions", "schemas", "routes"),
    "sinks.yaml": ("sinks", "models", "consoles"),
    "sanitizers.yaml": ("sanitizers", "cleaners", "cleaning_methods", "cleaning_attributes", "propagators"),
    "checks.yaml": ("checks",),
    "frameworks.yaml": ("frameworks",),
}
COMMON_KEYS = ("version", "examples")
TEAM_ONLY_KEYS = ("non_personal",)


def qname_pattern(patterns: list[str]) -> re.Pattern[str] | None:
    """Compile qualified-name patterns; ``*`` matches any run of characters."""
    if not patterns:
        return None
    parts = [re.escape(p).replace(r"\*", ".*") for p in patterns]
    return re.compile("^(?:" + "|".join(parts) + ")$")


class RuleReader:
    """Validates one rule file, raising YamlError with the file, key and line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text

    def fail(self, key_path: tuple[object, ...], message: str) -> NoReturn:
        where = ".".join(str(k) for k in key_path)
        raise YamlError(str(self.path), line_of(self.text, key_path), f"{where}: {message}" if where else message)

    def mapping(self, value: Any, key_path: tuple[object, ...], allowed: set[str]) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key_path, f"expected a mapping, got {type(value).__name__}")
        for key in value:
            if key not in allowed:
                self.fail(key_path + (key,), f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return value

    def entries(self, value: Any, key_path: tuple[object, ...]) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            self.fail(key_path, "expected a list")
        return value

    def strings(self, value: Any, key_path: tuple[object, ...]) -> list[str]:
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.fail(key_path, "expected a list of strings")
        return value

    def string(self, value: Any, key_path: tuple[object, ...], default: str | None = None) -> str:
        if value is None and default is not None:
            return default
        if not isinstance(value, str) or not value:
            self.fail(key_path, "expected a non-empty string")
        return value

    def word_tuples(self, values: Any, key_path: tuple[object, ...]) -> tuple[tuple[str, ...], ...]:
        out = []
        for i, text in enumerate(self.strings(values, key_path)):
            words = tuple(w for part in text.split() for w in split_words(part))
            if not words:
                self.fail(key_path + (i,), "a name needs at least one word")
            out.append(words)
        return tuple(out)

    def snippets(self, value: Any, key_path: tuple[object, ...], owner: str) -> list[Example]:
        """The one example dialect of every rule file: a list of annotated Python snippets."""
        out = []
        for i, code in enumerate(self.entries(value, key_path)):
            if not isinstance(code, str) or not code.strip():
                self.fail(key_path + (i,), "expected a Python snippet (a block string)")
            try:
                compile(code, f"{self.path}:{'.'.join(map(str, key_path))}", "exec", dont_inherit=True)
            except SyntaxError as exc:
                self.fail(key_path + (i,), f"example is not valid Python: {exc.msg} (snippet line {exc.lineno})")
            out.append(Example(str(self.path), key_path + (i,), owner, code))
        return out


@dataclass
class RuleDocument:
    """One parsed rule file, shipped or a team's, with the reader that reports against it."""

    reader: RuleReader
    data: dict[str, Any]
    shipped: bool

    @property
    def path(self) -> Path:
        return self.reader.path


def load_document(path: Path, shipped: bool, allowed: tuple[str, ...] | None = None) -> RuleDocument:
    """Parse and check the top level of a rule file; ``allowed`` is its sections (all for a team file)."""
    text: str
    if shipped:
        data, text = read_shipped_yaml(path)
    else:
        data = read_yaml(path)
        text = path.read_text(encoding="utf-8-sig")
    reader = RuleReader(path, text)
    if allowed is None:
        allowed = tuple(k for keys in SECTIONS.values() for k in keys) + TEAM_ONLY_KEYS
    reader.mapping(data, (), set(allowed) | set(COMMON_KEYS))
    if data.get("version") != 1:
        reader.fail(("version",), "expected version: 1")
    return RuleDocument(reader, data, shipped)


def example_line(example: Example) -> int:
    """The rule-file line of a snippet's first code line (a block string starts on the next line)."""
    path = Path(example.path)
    text = path.read_text(encoding="utf-8-sig")
    line = line_of(text, example.key_path)
    lines = text.splitlines()
    if 0 < line <= len(lines) and lines[line - 1].rstrip().endswith(("|", ">", "|-", ">-", "|+", ">+")):
        return line + 1
    return line
