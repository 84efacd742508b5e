"""The records every stage exchanges: data points, findings, errors and the scan report."""

from __future__ import annotations

from dataclasses import dataclass, field

ACTIONS = ("collect", "store", "log", "share")
PROTECTIONS = ("none", "hashed", "encrypted", "masked", "tokenised")
SENSITIVITIES = ("low", "medium", "high", "special")
SEVERITIES = ("note", "warning", "error")


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the path personal data took to a data point: where, and what happened there."""

    path: str
    line: int
    message: str

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass(frozen=True, slots=True)
class DataPoint:
    """One place where one category of personal data is collected, stored, logged or shared."""

    path: str
    line: int
    column: int
    action: str
    category: str
    sensitivity: str
    identifier: str
    via: str
    protection: str
    scope: str
    # What kind of destination the sink is (cookie, url, llm, exception...); drives findings.
    sink_kind: str = ""
    # How the value reached the sink, for `minimise explain`: (step, detail) pairs.
    trace: tuple[str, ...] = ()
    # The path across lines and modules, for data that reached here through the project's own code.
    steps: tuple[Step, ...] = ()
    # A cache write's time to live as seen in the call ("PT300S", "OTP_TTL s", "never"); empty if none.
    expires: str = ""

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        return (self.path, self.line, self.column, self.action, self.category, self.identifier)

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "action": self.action,
            "category": self.category,
            "sensitivity": self.sensitivity,
            "identifier": self.identifier,
            "via": self.via,
            "protection": self.protection,
            "scope": self.scope,
        } | ({"expires": self.expires} if self.expires else {})


@dataclass(frozen=True, slots=True)
class Finding:
    """A problem worth a reviewer's attention, raised by a coded check on a data point."""

    code: str
    name: str
    severity: str
    path: str
    line: int
    column: int
    category: str
    action: str
    message: str
    fingerprint: str
    identifier: str = ""
    scope: str = ""
    sensitivity: str = ""
    via: str = ""
    steps: tuple[Step, ...] = ()
    # A cache write's time to live as seen in the call ("PT300S", "OTP_TTL s", "never"); empty if none.
    expires: str = ""
    # The calls that hand this line its data, not reported again themselves (see checks.echoes_by_line).
    reached_from: tuple[Step, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.path, self.line, self.column, self.code, self.category)

    def to_json(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "category": self.category,
            "action": self.action,
            "message": self.message,
            "fingerprint": self.fingerprint,
            "steps": [step.to_json() for step in self.steps],
            "reached_from": [step.to_json() for step in self.reached_from],
        }


@dataclass(frozen=True, slots=True)
class ScanError:
    """A file that could not be read or analysed; the scan goes on without it."""

    path: str
    line: int
    message: str

    def to_json(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "message": self.message}


@dataclass(frozen=True, slots=True)
class FileResult:
    """Everything one file contributed: its data points and any error. Picklable and cacheable."""

    path: str
    data_points: tuple[DataPoint, ...] = ()
    error: ScanError | None = None
    # Line numbers carrying `# minimise: ignore[...]` comments: line -> (codes, reason).
    suppressions: tuple[tuple[int, tuple[str, ...], str], ...] = ()
    # What the module exports to the project-wide phase (a JSON-ready mapping; see analysis.summary).
    summary: dict[str, object] | None = None
    # Not analysed yet: nothing in the file is personal, and its summary is computed only when a
    # module the scan analyses imports it (see minimise.deferral).
    deferred: bool = False


@dataclass
class Report:
    """The outcome of a scan, sorted and ready for any renderer."""

    root: str
    data_points: list[DataPoint] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    errors: list[ScanError] = field(default_factory=list)
    files_scanned: int = 0
    files_skipped: int = 0

    def sort(self) -> None:
        self.data_points.sort(key=DataPoint.sort_key)
        self.findings.sort(key=Finding.sort_key)
        self.errors.sort(key=lambda e: (e.path, e.line, e.message))
