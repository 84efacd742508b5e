"""Reading coded checks from checks.yaml (and a team's or the inventory's checks) into Check records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from minimise.knowledge.reader import RuleReader
from minimise.knowledge.records import Check
from minimise.model import SEVERITIES

if TYPE_CHECKING:
    from minimise.taxonomy import Taxonomy

_CHECK_KEYS = {
    "code",
    "name",
    "severity",
    "summary",
    "message",
    "when",
    "what",
    "why",
    "example",
    "fix",
    "suppress",
    "tests",
    "raised_by",
    "use_instead",
    "cwe",
    "precision",
    "silenced_by",
}
_WHEN_KEYS = {"action", "kinds", "not_kinds", "not_categories", "protection", "min_sensitivity"}
_DOC_KEYS = ("summary", "what", "why", "example", "fix", "suppress")
# GitHub code scanning's `precision` values, best first.
PRECISIONS = ("very-high", "high", "medium", "low")
# Ways of silencing a finding besides the `# minimise: ignore` comment and a baseline entry.
SILENCERS = ("noqa", "non_personal")


def load_checks(reader: RuleReader, data: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Check]:
    """The checks of one rule file (`checks:`), each validated against that file."""
    reader.mapping(data, (), {"version", "checks"})
    checks: dict[str, Check] = {}
    for i, entry in enumerate(data.get("checks") or []):
        where = ("checks", i)
        reader.mapping(entry, where, _CHECK_KEYS)
        code = reader.string(entry.get("code"), where + ("code",))
        if code in checks:
            reader.fail(where + ("code",), f"duplicate code {code}")
        severity = reader.string(entry.get("severity"), where + ("severity",))
        if severity not in SEVERITIES:
            reader.fail(where + ("severity",), f"expected one of {', '.join(SEVERITIES)}")
        when = reader.mapping(entry.get("when") or {}, where + ("when",), _WHEN_KEYS)
        docs = {k: reader.string(entry.get(k), where + (k,)) for k in _DOC_KEYS}
        tests = entry.get("tests") or []
        if not isinstance(tests, list):
            reader.fail(where + ("tests",), "expected a list")
        cwe = _cwe_ids(reader, entry.get("cwe"), where + ("cwe",))
        precision = str(entry.get("precision") or "")
        if precision and precision not in PRECISIONS:
            reader.fail(where + ("precision",), f"expected one of {', '.join(PRECISIONS)}")
        silenced_by = entry.get("silenced_by") or []
        if not isinstance(silenced_by, list) or any(s not in SILENCERS for s in silenced_by):
            reader.fail(where + ("silenced_by",), f"expected a list of {', '.join(SILENCERS)}")
        checks[code] = Check(
            code=code,
            name=reader.string(entry.get("name"), where + ("name",)),
            severity=severity,
            message=reader.string(entry.get("message"), where + ("message",)),
            applies=dict(when),
            tests=list(tests),
            raised_by=str(entry.get("raised_by") or ""),
            use_instead=str(entry.get("use_instead") or ""),
            cwe=cwe,
            precision=precision,
            silenced_by=tuple(silenced_by),
            **docs,
        )
    return checks


def _cwe_ids(reader: RuleReader, value: Any, where: tuple[object, ...]) -> tuple[int, ...]:
    """CWE numbers, written as `[532]` or `[CWE-532]`."""
    if value is None:
        return ()
    if not isinstance(value, list):
        reader.fail(where, "expected a list of CWE ids such as [532]")
    ids = []
    for item in value:
        text = str(item).upper().removeprefix("CWE-")
        if isinstance(item, bool) or not text.isdigit():
            reader.fail(where, f"{item!r} is not a CWE id (write 532 or CWE-532)")
        ids.append(int(text))
    return tuple(ids)
