"""Security-severity scores (0.0 to 10.0, CVSS-like) and the severity-then-sensitivity order of findings.

The score starts from the severity (error 7.0, warning 5.0, note 3.0), moves with the data's
sensitivity (special +2.5, high +1.5, low -1.5) and adds 1.0 for credentials, which open
every other record. GitHub code scanning reads a rule's score as its band: low below 4.0,
medium below 7.0, high below 9.0, critical from 9.0.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from minimise.model import SENSITIVITIES, SEVERITIES, Finding

if TYPE_CHECKING:
    from minimise.knowledge import Check

BASE = {"error": 7.0, "warning": 5.0, "note": 3.0}
SENSITIVITY_SHIFT = {"special": 2.5, "high": 1.5, "medium": 0.0, "low": -1.5}
CREDENTIALS = ("user.authorization", "system.authentication")
CREDENTIALS_SHIFT = 1.0


def _is_credentials(category: str) -> bool:
    return any(category == key or category.startswith(key + ".") for key in CREDENTIALS)


def score(severity: str, sensitivity: str, category: str = "") -> float:
    value = BASE.get(severity, BASE["warning"]) + SENSITIVITY_SHIFT.get(sensitivity, 0.0)
    if _is_credentials(category):
        value += CREDENTIALS_SHIFT
    return round(min(10.0, max(0.1, value)), 1)


def finding_score(finding: Finding) -> float:
    return score(finding.severity, finding.sensitivity or "medium", finding.category)


def rule_score(check: Check) -> float:
    """A rule's score: its default severity on the least sensitive data it selects (medium unless it says)."""
    return score(check.severity, str(check.applies.get("min_sensitivity") or "medium"))


def text(value: float) -> str:
    """As SARIF carries it: a string with one decimal."""
    return f"{value:.1f}"


def priority(finding: Finding) -> tuple[int, int, float]:
    """Larger is more urgent: severity, then sensitivity, then the score (credentials first)."""
    severity = SEVERITIES.index(finding.severity) if finding.severity in SEVERITIES else 1
    sensitivity = SENSITIVITIES.index(finding.sensitivity) if finding.sensitivity in SENSITIVITIES else 1
    return (severity, sensitivity, finding_score(finding))


def by_priority(findings: list[Finding]) -> list[Finding]:
    """Most urgent first; ties in the report's path, line, column order."""
    ordered = sorted(findings, key=Finding.sort_key)
    return sorted(ordered, key=priority, reverse=True)
