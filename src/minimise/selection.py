"""Which finding codes are reported: select, ignore, extend-select and per-file-ignores, read as ruff reads them.

Every value may be a comma list, repeated, a code (``MIN301``), a prefix (``MIN3``) or ``ALL``,
in any case. A code or prefix that matches no known check is an error naming it and the
nearest known code, so a typo cannot switch a CI gate off. Between a selecting and an
ignoring entry the more specific one wins (``select MIN3`` + ``ignore MIN301`` reports every
MIN3xx but MIN301; ``ignore MIN3`` + ``select MIN301`` reports only MIN301 of MIN3xx).
A per-file ignore removes its codes from matching files whatever was selected.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ALL = "ALL"

# Codes raised by the scan session itself rather than by a check in rules/ (documented in docs/errors.md).
SESSION_CODES = {"MIN001": ("file-not-analysed", "error")}


class SelectionError(Exception):
    """A ``select``/``ignore`` entry naming no known code; the message names it and a near miss."""


def split_codes(values: Iterable[str]) -> list[str]:
    """``["MIN301,min4", " MIN5 "]`` -> ``["MIN301", "MIN4", "MIN5"]``."""
    codes: list[str] = []
    for value in values:
        for part in str(value).replace(" ", ",").split(","):
            part = part.strip().upper()
            if part:
                codes.append(part)
    return codes


def validate(codes: Iterable[str], known: Iterable[str], where: str) -> None:
    """Raise SelectionError for the first entry that is neither ``ALL`` nor a prefix of a known code."""
    known_codes = sorted(set(known))
    for code in codes:
        if code == ALL or any(k.startswith(code) for k in known_codes):
            continue
        near = difflib.get_close_matches(code, known_codes, n=1, cutoff=0.5)
        hint = f"; did you mean {near[0]}?" if near else f" (known codes: {', '.join(known_codes)})"
        raise SelectionError(f"{where}: unknown rule code or prefix {code!r}{hint}")


def _specificity(code: str, entries: Iterable[str]) -> int:
    """Length of the longest entry matching ``code`` (``ALL`` counts 0); -1 when none matches."""
    best = -1
    for entry in entries:
        if entry == ALL:
            best = max(best, 0)
        elif code.startswith(entry):
            best = max(best, len(entry))
    return best


@dataclass(frozen=True)
class Selection:
    """The parsed, validated selection; ``reports(code, path)`` is the only question asked of it."""

    select: tuple[str, ...] = (ALL,)
    ignore: tuple[str, ...] = ()
    # (gitignore-style pattern, codes) pairs; the path is relative to the project root.
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    _specs: dict[str, object] = field(default_factory=dict, compare=False, repr=False)

    def reports(self, code: str, path: str = "") -> bool:
        code = code.upper()
        if _specificity(code, self.select) <= _specificity(code, self.ignore):
            return False
        # As in ruff, a per-file ignore removes the code from matching files whatever was selected.
        for pattern, codes in self.per_file_ignores if path else ():
            if _specificity(code, codes) >= 0 and self._matches(pattern, path):
                return False
        return True

    def _matches(self, pattern: str, path: str) -> bool:
        spec = self._specs.get(pattern)
        if spec is None:
            import pathspec

            spec = pathspec.GitIgnoreSpec.from_lines([pattern])
            self._specs[pattern] = spec
        return bool(spec.match_file(path))  # type: ignore[attr-defined]


def build_selection(
    select: Iterable[str],
    ignore: Iterable[str],
    known: Iterable[str],
    extend_select: Iterable[str] = (),
    per_file_ignores: Mapping[str, Iterable[str]] | None = None,
    where: Mapping[str, str] | None = None,
) -> Selection:
    """Parse and validate; ``where`` names each setting's origin for messages (``--select``, a file:line)."""
    known = set(known)
    where = where or {}
    chosen = split_codes(select)
    extra = split_codes(extend_select)
    ignored = split_codes(ignore)
    validate(chosen, known, where.get("select", "select"))
    validate(extra, known, where.get("extend_select", "extend-select"))
    validate(ignored, known, where.get("ignore", "ignore"))
    per_file: list[tuple[str, tuple[str, ...]]] = []
    for pattern, codes in (per_file_ignores or {}).items():
        parsed = split_codes(codes if not isinstance(codes, str) else [codes])
        validate(parsed, known, f"{where.get('per_file_ignores', 'per-file-ignores')} ({pattern})")
        per_file.append((pattern, tuple(parsed)))
    return Selection(
        select=tuple(chosen or [ALL]) + tuple(extra),
        ignore=tuple(ignored),
        per_file_ignores=tuple(per_file),
    )


def known_codes(knowledge: object | None = None) -> set[str]:
    """Every code a scan can raise: the checks (shipped and the team's), the inventory checks, the session's own."""
    codes = set(SESSION_CODES)
    if knowledge is None:
        from minimise.knowledge import load_knowledge

        knowledge = load_knowledge()
    codes.update(getattr(knowledge, "checks", {}))
    try:
        from minimise.inventory.reconcile import inventory_checks
    except ModuleNotFoundError as exc:  # a build without the inventory package
        if not (exc.name or "").startswith("minimise"):
            raise
    else:
        codes.update(inventory_checks())
    return codes
