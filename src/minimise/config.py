"""Project configuration: ``[tool.minimise]`` in pyproject.toml, or minimise.toml / .minimise.toml.

Precedence, lowest first: built-in defaults, the configuration file, the command line. Every
value remembers where it came from, for ``minimise config``. Paths in a file are relative to
the file's folder. Unknown keys and wrongly typed values are errors naming the file and line.
"""

from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minimise.inputs import InputError, check_structure, confine_setting, read_input

CONFIG_FILES = ("minimise.toml", ".minimise.toml", "pyproject.toml")
INVENTORY_FILE = "data-inventory.yaml"  # the data inventory a scan finds next to the code
DEFAULT_SOURCE = "default"
COMMAND_LINE = "command line"
MAX_CONFIG_BYTES = 1024 * 1024
FAIL_ON = ("note", "warning", "error")


class ConfigError(Exception):
    """A configuration file or value that cannot be used; the message names file and line."""


@dataclass(frozen=True)
class Key:
    name: str
    kind: str  # str, url, path, bool, int, list, paths, choice, table (pattern -> list of strings)
    default: Any
    help: str
    choices: tuple[str, ...] = ()


KEYS: dict[str, Key] = {
    k.name: k
    for k in (
        Key("inventory", "path", None, "Data inventory file to check findings against."),
        Key("include", "paths", [], "Paths scanned when none are given on the command line."),
        Key("exclude", "list", [], "Gitignore-style patterns of files and folders not to scan."),
        Key("rules", "paths", [], "Extra rule files (YAML) to load."),
        Key("select", "list", [], "Only report these codes or prefixes."),
        Key("ignore", "list", [], "Do not report these codes or prefixes."),
        Key("extend_select", "list", [], "Codes or prefixes reported on top of `select`."),
        Key("per_file_ignores", "table", {}, "Gitignore-style pattern -> codes not reported in matching files."),
        Key("fail_on", "choice", "note", "Lowest severity that makes the exit status 1.", FAIL_ON),
        Key("format", "str", "text", "Report format."),
        Key("jobs", "int", 0, "Worker processes (0: CPU count)."),
        Key(
            "file_time_limit",
            "int",
            20,
            "Seconds one file may take to analyse before it is a MIN001 finding (0: none).",
        ),
        Key("file_size_limit", "int", 2, "MiB a file may have; a bigger one is a MIN001 finding, not analysed."),
        Key("cache_dir", "path", None, "Result cache folder inside the project (default: in the user cache folder)."),
        Key(
            "require_suppression_reason",
            "bool",
            False,
            "Suppressions without codes and a reason are findings (MIN901).",
        ),
        Key("report_unused_suppressions", "bool", False, "Suppressions that silence nothing are findings (MIN902)."),
        Key("baseline", "path", None, "Baseline file: findings recorded there are not reported."),
        Key("include_migrations", "bool", False, "Also scan migrations/ folders."),
        Key("include_tests", "bool", False, "Also analyse test code (tests/, test_*.py, conftest.py, fixtures)."),
        Key("docs_url", "url", None, "Where your team publishes the rule pages; reports link there, else embed them."),
    )
}


@dataclass
class Config:
    """The merged configuration: values and, for each, where it came from."""

    values: dict[str, Any] = field(default_factory=lambda: {k.name: _copy(k.default) for k in KEYS.values()})
    sources: dict[str, str] = field(default_factory=lambda: dict.fromkeys(KEYS, DEFAULT_SOURCE))
    file: Path | None = None
    # key -> "file:line" where the file set it, for messages about a value (an unknown rule code).
    lines: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Any:
        return self.values[name]

    def set(self, name: str, value: Any, source: str) -> None:
        if name not in KEYS:
            raise ConfigError(f"{source}: unknown key {name!r}")
        self.values[name] = value
        self.sources[name] = source

    def override(self, name: str, value: Any) -> None:
        """A value given on the command line."""
        self.set(name, value, COMMAND_LINE)

    def describe(self) -> list[tuple[str, Any, str]]:
        return [(name, self.values[name], self.sources[name]) for name in KEYS]


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: list(v) for k, v in value.items()}
    return list(value) if isinstance(value, list) else value


def key_name(name: str) -> str:
    """``fail-on`` and ``fail_on`` name the same key, as in ruff's configuration."""
    return name.replace("-", "_")


def _load_toml(text: str, path: Path) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on 3.10 only
        import tomli as tomllib
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _line_from_message(str(exc))
        raise ConfigError(f"{display_path(path)}:{line}: invalid TOML: {str(exc).split(' (at ')[0]}") from None
    except (RecursionError, ValueError) as exc:  # beyond the structure pre-check: still one line
        raise ConfigError(f"{display_path(path)}: invalid TOML: {type(exc).__name__}") from None


def _line_from_message(message: str) -> int:
    match = re.search(r"line (\d+)", message)
    return int(match.group(1)) if match else 1


def _key_line(text: str, key: str, table: str | None) -> int:
    """Best-effort line of ``key`` inside ``[table]`` (or at the top level) of a TOML text."""
    in_table = table is None
    dotted = re.compile(rf"^\s*(?:tool\s*\.\s*minimise\s*\.\s*)?[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("["):
            name = stripped.strip("[] \t").split("]")[0].replace(" ", "").replace('"', "")
            in_table = (name == table) if table is not None else False
            if table is not None and name.startswith(f"{table}."):
                if name[len(table) + 1 :].split(".")[0] == key:
                    return number
            continue
        if in_table and dotted.match(line):
            return number
    if table is not None:
        for number, line in enumerate(text.splitlines(), start=1):
            if re.match(rf"^\s*tool\s*\.\s*minimise\s*\.\s*{re.escape(key)}\s*=", line):
                return number
    return 1


def read_config_file(path: Path) -> tuple[dict[str, Any], str, str | None] | None:
    """(settings, text, table) from a configuration file; None when it has no minimise settings."""
    try:
        raw = read_input(path, "configuration file", MAX_CONFIG_BYTES)
        text = raw.decode("utf-8-sig")
        check_structure(text, str(path), "configuration file")
    except InputError as exc:
        raise ConfigError(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{display_path(path)}:1: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    data = _load_toml(text, path)
    tool = data.get("tool")
    if isinstance(tool, dict) and "minimise" in tool:
        section = tool["minimise"]
        if not isinstance(section, dict):
            raise ConfigError(
                f"{display_path(path)}:{_key_line(text, 'minimise', 'tool')}: [tool.minimise] must be a table"
            )
        return section, text, "tool.minimise"
    if path.name == "pyproject.toml":
        return None
    top = {k: v for k, v in data.items() if k != "tool"}
    return top, text, None


def find_config_file(start: Path) -> Path | None:
    """The nearest minimise.toml, .minimise.toml or pyproject.toml with [tool.minimise], walking up.

    The walk stops at the first folder holding a ``.git`` entry (the repository's top).
    """
    try:
        here = start.resolve()
    except OSError:
        here = start.absolute()
    if here.is_file():
        here = here.parent
    for directory in (here, *here.parents):
        for name in CONFIG_FILES:
            candidate = directory / name
            if candidate.is_file():
                if name != "pyproject.toml":
                    return candidate
                try:
                    if re.search(
                        r"^\s*\[\s*tool\s*\.\s*minimise\b|^\s*tool\s*\.\s*minimise\s*\.",
                        candidate.read_text(encoding="utf-8-sig", errors="replace"),
                        re.M,
                    ):
                        return candidate
                except OSError:
                    continue
        if (directory / ".git").exists():
            break
    return None


def display_path(path: Path) -> str:
    """``path`` as it opens from the current folder: relative when inside it."""
    try:
        return str(Path(os.path.abspath(path)).relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _coerce(key: Key, value: Any, base: Path, where: str) -> Any:
    def bad(expected: str) -> ConfigError:
        return ConfigError(f"{where}: {key.name}: expected {expected}, got {type(value).__name__} {value!r}")

    if key.kind == "bool":
        if not isinstance(value, bool):
            raise bad("true or false")
        return value
    if key.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise bad("a whole number >= 0")
        return value
    if key.kind in ("str", "choice"):
        if not isinstance(value, str):
            raise bad("a string")
        if key.kind == "choice" and value not in key.choices:
            raise ConfigError(f"{where}: {key.name}: expected one of {', '.join(key.choices)}, got {value!r}")
        return value
    if key.kind == "url":
        if not isinstance(value, str) or not re.match(r"https?://[^\s/]+", value):
            raise bad("an http:// or https:// URL")
        return value
    if key.kind == "path":
        if not isinstance(value, str) or not value:
            raise bad("a path (string)")
        return str(_resolve(base, value))
    if key.kind in ("list", "paths"):
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise bad("a list of strings")
        return [str(_resolve(base, v)) for v in value] if key.kind == "paths" else list(value)
    if key.kind == "table":
        if not isinstance(value, dict):
            raise bad("a table of pattern = [codes]")
        table: dict[str, list[str]] = {}
        for pattern, codes in value.items():
            if isinstance(codes, str):
                codes = [codes]
            if not isinstance(codes, list) or not all(isinstance(c, str) for c in codes):
                raise ConfigError(f"{where}: {key.name}: {pattern!r}: expected a list of codes")
            table[str(pattern)] = list(codes)
        return table
    raise AssertionError(key.kind)  # pragma: no cover


def _resolve(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    if path.is_absolute():
        return path
    resolved = base / path
    try:
        return resolved.relative_to(Path.cwd())
    except ValueError:
        return resolved


def load_config(start: Path | None = None, explicit: Path | None = None) -> Config:
    """Defaults merged with the configuration file: ``explicit``, else the nearest one above ``start``."""
    config = Config()
    path = explicit if explicit is not None else find_config_file(start or Path("."))
    if path is None:
        return config
    if explicit is not None and not path.is_file():
        raise ConfigError(f"{path}: no such configuration file")
    loaded = read_config_file(path)
    if loaded is None:
        if explicit is not None:
            raise ConfigError(f"{path}: no [tool.minimise] table")
        return config
    settings, text, table = loaded
    shown = display_path(path)
    base = path.absolute().parent
    config.file = path
    seen: dict[str, str] = {}
    for name, value in settings.items():
        line = _key_line(text, str(name), table)
        where = f"{shown}:{line}"
        key = KEYS.get(key_name(str(name)))
        if key is None:
            known = ", ".join(k.replace("_", "-") for k in KEYS)
            raise ConfigError(
                f"{where}: unknown key {name!r} in {'[' + table + ']' if table else 'the file'} (known keys: {known})"
            )
        if key.name in seen:
            raise ConfigError(f"{where}: {name!r} repeats {seen[key.name]!r} (kebab-case and snake_case name one key)")
        seen[key.name] = str(name)
        value = confine_setting(key.name, _coerce(key, value, base, where), path, where, ConfigError)
        config.set(key.name, value, shown)
        config.lines[key.name] = where
    return config


def severity_at_least(severity: str, threshold: str) -> bool:
    order = {name: i for i, name in enumerate(FAIL_ON)}
    return order.get(severity, len(FAIL_ON)) >= order.get(threshold, 0)


def format_value(value: Any) -> str:
    """A TOML-looking rendering for ``minimise config``."""
    if value is None:
        return "(unset)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_quote(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_quote(k)} = {format_value(v)}" for k, v in value.items()) + "}"
    if isinstance(value, int):
        return str(value)
    return _quote(str(value))


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
