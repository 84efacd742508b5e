"""Turning data points into coded findings under the default policy (no inventory needed)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from minimise.model import SENSITIVITIES, SEVERITIES, DataPoint, Finding

if TYPE_CHECKING:
    from minimise.knowledge import Check, Knowledge, _Reader
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
_WHEN_KEYS = {"action", "kinds", "not_kinds", "protection", "min_sensitivity"}
_DOC_KEYS = ("summary", "what", "why", "example", "fix", "suppress")
# GitHub code scanning's `precision` values, best first.
PRECISIONS = ("very-high", "high", "medium", "low")
# Ways of silencing a finding besides the `# minimise: ignore` comment and a baseline entry.
SILENCERS = ("noqa", "non_personal")


def load_checks(reader: _Reader, data: dict[str, Any], taxonomy: Taxonomy) -> dict[str, Check]:
    from minimise.knowledge import Check

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


def _cwe_ids(reader: _Reader, value: Any, where: tuple[object, ...]) -> tuple[int, ...]:
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


def _applies(when: dict[str, Any], point: DataPoint) -> bool:
    if "action" in when and point.action != when["action"]:
        return False
    if "kinds" in when and point.sink_kind not in when["kinds"]:
        return False
    if "not_kinds" in when and point.sink_kind in when["not_kinds"]:
        return False
    if "protection" in when and point.protection != when["protection"]:
        return False
    if "min_sensitivity" in when:
        if SENSITIVITIES.index(point.sensitivity) < SENSITIVITIES.index(when["min_sensitivity"]):
            return False
    return True


def severity_for(check: Check, point: DataPoint) -> str:
    """Special and high data raise a check's severity to error; low data lowers it to note."""
    if point.sensitivity in ("special", "high"):
        return "error"
    if point.sensitivity == "low":
        return "note"
    return check.severity


def fingerprint(code: str, point: DataPoint, occurrence: int = 0) -> str:
    """Stable across line moves: code, path, scope, identifier and category, never the line."""
    text = "\0".join((code, point.path, point.scope, point.identifier, point.category, point.action, str(occurrence)))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def default_findings(points: Iterable[DataPoint], knowledge: Knowledge) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    for point in sorted(points, key=DataPoint.sort_key):
        for check in knowledge.checks.values():
            if check.raised_by or not _applies(check.applies, point):
                continue
            findings.append(make_finding(check, point, knowledge, seen))
    return findings


def make_finding(check: Check, point: DataPoint, knowledge: Knowledge, seen: dict[str, int], **extra: str) -> Finding:
    base = fingerprint(check.code, point)
    occurrence = seen.get(base, 0)
    seen[base] = occurrence + 1
    values = {
        "label": knowledge.label_of(point.category),
        "category": point.category,
        "via": point.via,
        "destination": point.via,
        "identifier": point.identifier,
        "action": point.action,
    }
    values.update(extra)
    return Finding(
        code=check.code,
        name=check.name,
        severity=severity_for(check, point),
        path=point.path,
        line=point.line,
        column=point.column,
        category=point.category,
        action=point.action,
        message=check.message.format(**values) + f": `{point.identifier}`",
        fingerprint=fingerprint(check.code, point, occurrence),
        identifier=point.identifier,
        scope=point.scope,
        sensitivity=point.sensitivity,
        via=point.via,
        steps=point.steps,
    )
