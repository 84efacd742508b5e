"""Baselines: accept today's findings so that only new ones are reported.

A baseline is a JSON file (``minimise-baseline/1``) listing findings by fingerprint. The
fingerprint covers code, path, scope, identifier, category and action (plus an occurrence
index), never the line, so entries keep matching when code moves within a file.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from minimise import __version__
from minimise.model import Finding

SCHEMA = "minimise-baseline/1"
DEFAULT_BASELINE = ".minimise-baseline.json"
_ENTRY_KEYS = {
    "fingerprint",
    "code",
    "path",
    "line",
    "scope",
    "identifier",
    "category",
    "action",
    "message",
    "author",
    "comment",
    "false_positive",
}


class BaselineError(Exception):
    """A baseline file that cannot be read or written; the message names the file."""


@dataclass
class Entry:
    fingerprint: str
    code: str
    path: str
    scope: str = ""
    identifier: str = ""
    category: str = ""
    action: str = ""
    line: int = 0  # informational only: where the finding was when recorded
    message: str = ""
    author: str = ""
    comment: str = ""
    false_positive: bool = False

    @classmethod
    def from_finding(cls, finding: Finding, author: str = "", comment: str = "") -> Entry:
        return cls(
            fingerprint=finding.fingerprint,
            code=finding.code,
            path=finding.path,
            scope=finding.scope,
            identifier=finding.identifier,
            category=finding.category,
            action=finding.action,
            line=finding.line,
            message=finding.message,
            author=author,
            comment=comment,
        )

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "fingerprint": self.fingerprint,
            "code": self.code,
            "path": self.path,
            "line": self.line,
            "scope": self.scope,
            "identifier": self.identifier,
            "category": self.category,
            "action": self.action,
        }
        if self.author:
            data["author"] = self.author
        if self.comment:
            data["comment"] = self.comment
        if self.false_positive:
            data["false_positive"] = True
        return data


@dataclass
class Baseline:
    entries: list[Entry] = field(default_factory=list)
    created: str = ""

    def fingerprints(self) -> set[str]:
        return {e.fingerprint for e in self.entries}

    def to_json(self) -> dict[str, object]:
        return {
            "schema": SCHEMA,
            "tool": {"name": "minimise", "version": __version__},
            "created": self.created,
            "findings": [e.to_json() for e in sorted(self.entries, key=_entry_order)],
        }


def _entry_order(entry: Entry) -> tuple[str, int, str, str]:
    return (entry.path, entry.line, entry.code, entry.fingerprint)


@dataclass
class Comparison:
    """The outcome of checking a scan against a baseline."""

    new: list[Finding]
    matched: list[Finding]
    stale: list[Entry]  # entries whose finding is gone (fixed, or changed beyond recognition)


def create(
    findings: Iterable[Finding], previous: Baseline | None = None, author: str = "", comment: str = ""
) -> Baseline:
    """A baseline of ``findings``; annotations of entries already in ``previous`` are kept."""
    kept = {e.fingerprint: e for e in previous.entries} if previous else {}
    entries = []
    for finding in findings:
        entry = Entry.from_finding(finding, author, comment)
        old = kept.get(finding.fingerprint)
        if old is not None:
            entry.author = old.author or entry.author
            entry.comment = old.comment or entry.comment
            entry.false_positive = old.false_positive
        entries.append(entry)
    created = datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    return Baseline(entries, created)


def compare(findings: Iterable[Finding], baseline: Baseline, scanned_paths: set[str] | None = None) -> Comparison:
    """Split findings into new and baselined; list entries that no longer match.

    ``scanned_paths`` limits stale entries to files the scan looked at (partial scans);
    None means the scan covered everything.
    """
    known = baseline.fingerprints()
    new, matched, seen = [], [], set()
    for finding in findings:
        if finding.fingerprint in known:
            matched.append(finding)
            seen.add(finding.fingerprint)
        else:
            new.append(finding)
    stale = [
        e for e in baseline.entries if e.fingerprint not in seen and (scanned_paths is None or e.path in scanned_paths)
    ]
    return Comparison(new, matched, stale)


MAX_BASELINE_BYTES = 64 * 1024 * 1024


def load(path: Path) -> Baseline:
    from minimise.inputs import InputError, check_structure, read_input

    if not path.exists() and not path.is_symlink():
        raise BaselineError(f"{path}: baseline not found (create it with `minimise baseline create`)")
    try:
        text = read_input(path, "baseline", MAX_BASELINE_BYTES).decode("utf-8-sig")
        check_structure(text, str(path), "baseline")
    except InputError as exc:
        raise BaselineError(str(exc)) from None
    except UnicodeDecodeError:
        raise BaselineError(f"{path}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except (RecursionError, ValueError) as exc:
        raise BaselineError(f"{path}: invalid JSON: {type(exc).__name__}") from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BaselineError(f'{path}: not a minimise baseline (expected "schema": "{SCHEMA}")')
    raw_entries = data.get("findings")
    if not isinstance(raw_entries, list):
        raise BaselineError(f'{path}: "findings" must be a list')
    entries = []
    for index, item in enumerate(raw_entries):
        entries.append(_entry(item, f"{path}: findings[{index}]"))
    return Baseline(entries, str(data.get("created") or ""))


def _entry(item: Any, where: str) -> Entry:
    if not isinstance(item, dict):
        raise BaselineError(f"{where}: expected an object")
    unknown = set(item) - _ENTRY_KEYS
    if unknown:
        raise BaselineError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    for name in ("fingerprint", "code", "path"):
        if not isinstance(item.get(name), str) or not item[name]:
            raise BaselineError(f"{where}: {name!r} must be a non-empty string")
    names = ("scope", "identifier", "category", "action", "message", "author", "comment")
    strings = {k: item.get(k, "") for k in names}
    for name, value in strings.items():
        if not isinstance(value, str):
            raise BaselineError(f"{where}: {name!r} must be a string")
    line = item.get("line", 0)
    if isinstance(line, bool) or not isinstance(line, int):
        raise BaselineError(f"{where}: 'line' must be a number")
    false_positive = item.get("false_positive", False)
    if not isinstance(false_positive, bool):
        raise BaselineError(f"{where}: 'false_positive' must be true or false")
    return Entry(
        fingerprint=item["fingerprint"],
        code=item["code"],
        path=item["path"],
        line=line,
        false_positive=false_positive,
        **strings,
    )


def save(baseline: Baseline, path: Path, force: bool = False) -> None:
    """Write atomically; refuse to replace an existing file unless ``force``."""
    from minimise.atomic import atomic_write

    if path.exists() and not force:
        raise BaselineError(f"{path}: already exists; pass --force to replace it")
    try:
        atomic_write(path, json.dumps(baseline.to_json(), indent=2, ensure_ascii=False) + "\n")
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write: {exc.strerror or exc}") from None
