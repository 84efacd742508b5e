"""flake8 plugin: the same MINxxx findings as `minimise scan`, inside flake8.

A thin adapter over the engine. flake8 is never imported here: it calls ``add_options`` and
``parse_options`` with its own objects, and the core works without it. ``# noqa: MIN301`` is
handled by flake8; ``# minimise: ignore[MIN301] reason`` by this plugin, as in `minimise scan`.

Options (command line, or setup.cfg / tox.ini / .flake8 without the leading dashes):
``--minimise-config`` (a minimise.toml or pyproject.toml), ``--minimise-inventory``,
``--minimise-rules`` (comma-separated extra rule files). Without them the nearest
configuration file of the current folder is used, as `minimise scan` would.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from minimise import __version__

Policy = Callable[[list[Any]], list[Any]]


class _Settings:
    """Everything resolved once per flake8 process (options, configuration, knowledge, policy)."""

    def __init__(self, config_file: str | None, inventory: str | None, rules: Sequence[str]) -> None:
        from minimise.config import load_config
        from minimise.engine import EngineOptions

        config = load_config(Path("."), Path(config_file) if config_file else None)
        if inventory:
            config.override("inventory", inventory)
        if rules:
            config.override("rules", list(rules))
        self.config = config
        self.engine = EngineOptions(extra_rules=tuple(config["rules"]))
        self.knowledge = self.engine.knowledge()
        self.select = tuple(config["select"])
        self.ignore = tuple(config["ignore"])
        from minimise.cache import cache_location

        self.cache_dir = cache_location(Path("."), config["cache_dir"], config.sources["cache_dir"])
        self._policy: Policy | None = None
        self._prefilter: Any = None
        self._cache: Any = None

    @property
    def policy(self) -> Policy:
        if self._policy is None:
            self._policy = _build_policy(self.config["inventory"], self.knowledge)
        return self._policy

    @property
    def prefilter(self) -> Any:
        if self._prefilter is None:
            from minimise.prefilter import Prefilter

            self._prefilter = Prefilter(self.knowledge)
        return self._prefilter

    @property
    def cache(self) -> Any:
        if self._cache is None:
            from minimise.cache import ResultCache

            self._cache = ResultCache(self.cache_dir, self.engine, self.knowledge)
        return self._cache


def _build_policy(inventory: str | None, knowledge: Any) -> Policy:
    import importlib.util

    from minimise.checks import default_findings

    if importlib.util.find_spec("minimise.inventory") is not None:
        import minimise.inventory as inventory_module

        path: Path | None = Path(inventory) if inventory else inventory_module.find_inventory(Path("."))
        if path is not None:
            # flake8 sees one file at a time: always a partial scan.
            return inventory_module.build_policy(path, knowledge, False, Path("."))  # type: ignore[no-any-return]
    return lambda points: default_findings(points, knowledge)


def _display(filename: str) -> str:
    """The path `minimise scan` shows for the same file run from the same folder."""
    if filename in ("-", "stdin", ""):
        return "stdin.py"
    path = os.path.normpath(filename)
    if os.path.isabs(path):
        try:
            rel = os.path.relpath(path)
            if not rel.startswith(".."):
                path = rel
        except ValueError:
            pass
    return Path(path).as_posix()


class MinimiseChecker:
    name = "minimise"
    version = __version__

    _options: tuple[str | None, str | None, tuple[str, ...]] = (None, None, ())
    _settings: _Settings | None = None

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        self.tree = tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, parser: Any) -> None:
        parser.add_option(
            "--minimise-config",
            default=None,
            parse_from_config=True,
            help="minimise: configuration file (minimise.toml or pyproject.toml).",
        )
        parser.add_option(
            "--minimise-inventory",
            default=None,
            parse_from_config=True,
            help="minimise: data inventory to check findings against.",
        )
        parser.add_option(
            "--minimise-rules",
            default="",
            parse_from_config=True,
            comma_separated_list=True,
            help="minimise: extra rule files (comma-separated).",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        rules = getattr(options, "minimise_rules", None) or ()
        if isinstance(rules, str):
            rules = [r.strip() for r in rules.split(",") if r.strip()]
        cls._options = (
            getattr(options, "minimise_config", None),
            getattr(options, "minimise_inventory", None),
            tuple(rules),
        )
        cls._settings = None

    @classmethod
    def settings(cls) -> _Settings:
        if cls._settings is None:
            cls._settings = _Settings(*cls._options)
        return cls._settings

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        from minimise.redact import redact_text
        from minimise.scan import filter_findings

        settings = self.settings()
        display = _display(self.filename)
        result = self._analyse(settings, display)
        if result is None or not result.data_points:
            return
        findings = filter_findings(
            settings.policy(list(result.data_points)), {display: result.suppressions}, settings.select, settings.ignore
        )
        for finding in sorted(findings, key=lambda f: f.sort_key()):
            yield finding.line, max(finding.column - 1, 0), f"{finding.code} {redact_text(finding.message)}", type(self)

    def _analyse(self, settings: _Settings, display: str) -> Any:
        from minimise.engine import analyse_bytes
        from minimise.source import SourceError, decode_source

        text = "".join(self.lines)
        raw: bytes | None = None
        if self.filename not in ("-", "stdin", ""):
            # Prefer the file's own bytes: same cache key as `minimise scan`, same decoding.
            try:
                candidate = Path(self.filename).read_bytes()
                if decode_source(candidate).replace("\r\n", "\n").replace("\r", "\n") == text:
                    raw = candidate
            except (OSError, SourceError):
                raw = None
        if raw is None:
            return analyse_bytes(text.encode("utf-8"), display, settings.engine, settings.knowledge, settings.prefilter)
        try:
            key = settings.cache.key(raw, display)
            hit = settings.cache.get(key, display)
        except OSError:
            key, hit = None, None
        if hit is not None:
            return hit
        result = analyse_bytes(raw, display, settings.engine, settings.knowledge, settings.prefilter)
        if key is not None:
            settings.cache.put(key, result)
        return result
