"""flake8 plugin: the same MINxxx findings as `minimise scan`, inside flake8.

A thin front end over the scan session (minimise.session), so flake8 and `minimise scan` give
the same verdict on the same line. flake8 is imported only inside ``parse_options``, which only
flake8 calls; the core works without it. When flake8's selection leaves every MIN code out,
the plugin does nothing (libcst is never imported).

Options (command line, or setup.cfg / tox.ini / .flake8 without the leading dashes):
``--minimise-config`` (a minimise.toml or pyproject.toml), ``--minimise-inventory``,
``--minimise-rules`` (comma-separated extra rule files). Without them each checked file uses
the configuration and inventory of its own project (found from the file, not from the
current folder), exactly as `minimise scan` would. A broken configuration, rule file or
inventory stops flake8 with one line naming the file and exit status 2.

A project marked by a configuration file, a git work tree or an inventory is scanned once per
flake8 run (as `minimise scan` of the project root, so the result cache applies) and each
checked file gets that scan's verdict: data reaching a file through the
project's other modules is reported in flake8 too. Text that differs from the file on disk
(stdin, an editor buffer) is checked on its own.
"""

from __future__ import annotations

import ast
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from minimise import __version__

if TYPE_CHECKING:
    from minimise.config import Config
    from minimise.model import Finding
    from minimise.session import Session
    from minimise.tree_memo import Discovered, TreeMemo

# Probed against flake8's own decision engine: is any MIN code reported at all?
_PROBE = tuple(f"MIN{number:03d}" for number in range(1000))


def _min_selected(options: Any) -> bool:
    try:
        from flake8.style_guide import Decision, DecisionEngine

        engine = DecisionEngine(options)
        return any(engine.decision_for(code) == Decision.Selected for code in _PROBE)
    except Exception:  # noqa: BLE001 - another flake8 version: assume selected, as before
        return True


def _is_stdin(filename: str) -> bool:
    return filename in ("-", "stdin", "")


class MinimiseChecker:
    name = "minimise"
    version = __version__

    _options: tuple[str | None, str | None, tuple[str, ...]] = (None, None, ())
    _enabled = True
    _sessions: dict[str, Session] = {}
    # folder -> (key of its project's session, configuration, project root, configuration file)
    _folders: dict[str, tuple[str, Config, Path, Path | None]] = {}
    # project key -> the kept verdicts of an unchanged project: (line, column, text) by file
    _replays: dict[str, dict[str, list[tuple[int, int, str]]]] = {}

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
        cls._sessions = {}
        cls._folders = {}
        cls._replays = {}
        cls._enabled = _min_selected(options)
        if not cls._enabled:
            return
        # Check the configuration of the first project now, in flake8's main process: a broken
        # file stops the run with one line instead of a traceback per checked file.
        from minimise.session import SessionError

        filenames = [f for f in getattr(options, "filenames", None) or ["."] if not _is_stdin(f)] or ["."]
        try:
            key, config, project, found = cls._project_of(filenames[0])
            memo = cls._memo(config, project, found)
            if memo is not None and cls._replay(key, memo[0]):
                return  # an unchanged project: its kept verdicts stand in for the scan
            session = cls.session_for(filenames[0], discovered=memo[1] if memo is not None else None)
            session.policy(full_scan=False)
            if session.whole_project:
                # Scan the project now, before flake8 forks its workers: they all inherit the result.
                scanned, by_file = session.findings_by_file()
                if memo is not None:
                    memo[0].keep(_verdicts(scanned, by_file))
        except SessionError as exc:
            sys.stderr.write(f"minimise: error: {exc}\n")
            raise SystemExit(2) from None

    @classmethod
    def _memo(cls, config: Config, project: Path, found: Path | None) -> tuple[TreeMemo, Discovered] | None:
        """The kept verdicts of this project's scan (minimise.tree_memo), when they can stand in for it."""
        from minimise.session import marks_a_project
        from minimise.tree_memo import folder_memo

        if not marks_a_project(project, found):
            return None
        return folder_memo(config, False, ["flake8", repr(cls._options)], lambda _root: ("", ""), paths=[project])

    @classmethod
    def _replay(cls, key: str, memo: TreeMemo) -> bool:
        kept = memo.replay()
        if kept is None or not isinstance(kept.get("by_file"), dict):
            return False
        try:
            by_file = {
                str(path): [(int(line), int(column), str(text)) for line, column, text in verdicts]
                for path, verdicts in kept["by_file"].items()
            }
        except (TypeError, ValueError):
            return False
        cls._replays[key] = by_file
        return True

    @classmethod
    def _project_of(cls, filename: str) -> tuple[str, Config, Path, Path | None]:
        """(key, configuration, project root, configuration file) of the project ``filename`` belongs to."""
        from minimise.config import ConfigError, find_config_file, load_config
        from minimise.session import SessionError, find_project_root

        config_file, inventory, rules = cls._options
        start = Path(filename if not _is_stdin(filename) else ".")
        folder = os.path.dirname(os.path.abspath(start)) if start.is_file() else os.path.abspath(start)
        known = cls._folders.get(folder)
        if known is not None:  # files of one folder share a project: no walk up the tree per file
            return known
        try:
            found = Path(config_file) if config_file else find_config_file(start)
            project = find_project_root(start, found)
            config = load_config(project, found) if found else load_config(project, None)
        except ConfigError as exc:
            raise SessionError(str(exc)) from None
        if inventory:
            config.override("inventory", inventory)
        if rules:
            config.override("rules", list(rules))
        cls._folders[folder] = (f"{found}|{project}", config, project, found)
        return cls._folders[folder]

    @classmethod
    def session_for(cls, filename: str, discovered: Discovered | None = None) -> Session:
        """The session of the project ``filename`` belongs to (one per configuration file)."""
        from minimise.session import Session, SessionOptions, marks_a_project

        key, config, project, found = cls._project_of(filename)
        if key not in cls._sessions:
            options = SessionOptions(use_baseline=False, discovered=discovered)
            session = Session(config, options, paths=[project])
            # Without a configuration, repository or inventory there is no telling where the project
            # ends (flake8 may run from a home folder): such files are checked one by one.
            session.whole_project = marks_a_project(project, found)
            cls._sessions[key] = session
        return cls._sessions[key]

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        if not self._enabled:
            return
        from minimise.redact import redact_text
        from minimise.session import SessionError

        try:
            key, _config, project, _found = self._project_of(self.filename)
            if key in self._replays:
                own, on_disk = self._own_text(project)
                if on_disk:
                    kept = self._replays[key].get(own, ())
                    yield from ((line, column, text, type(self)) for line, column, text in kept)
                    return
            session = self.session_for(self.filename)
            display, raw, on_disk = self._source(session)
            own = session.relative(display)
            if on_disk and session.whole_project:
                scanned, by_file = session.findings_by_file()
                findings = by_file.get(own, []) if own in scanned else []
            else:  # stdin, or text that differs from the file: this text alone
                _result, findings = session.check_file(display, raw)
        except SessionError as exc:
            yield 1, 0, f"MIN001 file not analysed: {redact_text(str(exc))}", type(self)
            return
        for finding in findings:
            if finding.path != own:  # an inventory finding about the inventory file itself
                continue
            yield finding.line, max(finding.column - 1, 0), f"{finding.code} {redact_text(finding.message)}", type(self)

    def _own_text(self, project: Path) -> tuple[str, bool]:
        """The path relative to ``project`` and whether flake8's text is the file's own."""
        if _is_stdin(self.filename):
            return "stdin.py", False
        display = Path(os.path.relpath(os.path.abspath(self.filename), project.absolute())).as_posix()
        return display, self._on_disk()[1]

    def _on_disk(self) -> tuple[bytes, bool]:
        """The file's bytes (else flake8's text) and whether its text is flake8's."""
        from minimise.source import SourceError, decode_source

        text = "".join(self.lines)
        try:
            # Prefer the file's own bytes: the same decoding (coding cookies, BOM) as `minimise scan`.
            candidate = Path(self.filename).read_bytes()
            if decode_source(candidate).replace("\r\n", "\n").replace("\r", "\n") == text:
                return candidate, True
        except (OSError, SourceError):
            pass
        return text.encode("utf-8"), False

    def _source(self, session: Session) -> tuple[str, bytes, bool]:
        """The path relative to the session's root, the bytes to analyse, and whether they are the file's own."""
        text = "".join(self.lines)
        if _is_stdin(self.filename):
            return "stdin.py", text.encode("utf-8"), False
        display = Path(os.path.relpath(os.path.abspath(self.filename), session.root.absolute())).as_posix()
        raw, on_disk = self._on_disk()
        return display, raw, on_disk


def _verdicts(scanned: set[str], by_file: dict[str, list[Finding]]) -> dict[str, Any]:
    """A project scan's verdicts as flake8 shows them, in plain JSON values for the tree memo."""
    from minimise.redact import redact_text

    return {
        "by_file": {
            path: [
                [f.line, max(f.column - 1, 0), f"{f.code} {redact_text(f.message)}"] for f in findings if f.path == path
            ]
            for path, findings in by_file.items()
            if path in scanned
        },
    }
