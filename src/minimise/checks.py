"""Turning data points into coded findings under the default policy (no inventory needed)."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from minimise.model import SENSITIVITIES, DataPoint, Finding, Step

if TYPE_CHECKING:
    from minimise.knowledge import Check, Knowledge


def _applies(when: dict[str, Any], point: DataPoint) -> bool:
    if "action" in when and point.action != when["action"]:
        return False
    if "kinds" in when and point.sink_kind not in when["kinds"]:
        return False
    if "not_kinds" in when and point.sink_kind in when["not_kinds"]:
        return False
    if "not_categories" in when and any(
        point.category == c or point.category.startswith(c + ".") for c in when["not_categories"]
    ):
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


def reported_at_their_sink(points: Iterable[DataPoint]) -> set[DataPoint]:
    """Points whose path goes, through calls, by a line already reported for the same category and action.

    ``validate_user(form["username"])`` into a helper that logs its ``username``: the helper's log line
    is the finding; the call keeps its data point (the path, the inventory) but is not reported again.
    So is a chain of helpers (`login()` hands the password to `report_login()`, whose formatted text
    goes to `report()` and a bot): the innermost line reported for it is the finding.
    """
    return {echo for echoes in echoes_by_line(points).values() for echo in echoes}


def echoes_by_line(points: Iterable[DataPoint]) -> dict[tuple[str, int, str, str], list[DataPoint]]:
    """For each reported (path, line, action, category), the points passing through it (see above)."""
    ordered = list(points)
    direct = {(p.path, p.line, p.action, p.category) for p in ordered}
    found: dict[tuple[str, int, str, str], list[DataPoint]] = {}
    for point in ordered:
        passed = {(step.path, step.line) for step in point.steps} - {(point.path, point.line)}
        for path, line in sorted(passed):
            if (path, line, point.action, point.category) in direct:
                found.setdefault((path, line, point.action, point.category), []).append(point)
    return found


def reached_from(point: DataPoint, echoes: dict[tuple[str, int, str, str], list[DataPoint]]) -> tuple[Step, ...]:
    """The calls whose data reaches ``point``'s line, in order, each once: where a finding's data came from."""
    callers = echoes.get((point.path, point.line, point.action, point.category), [])
    places = sorted({(c.path, c.line, c.scope) for c in callers if (c.path, c.line) != (point.path, point.line)})
    return tuple(
        Step(path, line, f"reaches here from `{scope}`" if scope else "reaches here") for path, line, scope in places
    )


def default_findings(points: Iterable[DataPoint], knowledge: Knowledge) -> list[Finding]:
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    ordered = sorted(points, key=DataPoint.sort_key)
    by_line = echoes_by_line(ordered)
    echoes = {echo for group in by_line.values() for echo in group}
    for point in ordered:
        if point in echoes:
            continue
        callers = reached_from(point, by_line)
        for check in knowledge.checks.values():
            if check.raised_by or not _applies(check.applies, point):
                continue
            finding = make_finding(check, point, knowledge, seen)
            findings.append(dataclasses.replace(finding, reached_from=callers) if callers else finding)
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
