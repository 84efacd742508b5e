"""The SARIF report: valid against the OASIS schema and fit for GitHub code scanning's documented needs."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from report_helpers import APP, SCHEMA_PATH, label, rendered, sarif_schema, scan_repo, validate_sarif

from minimise import __version__
from minimise.model import Finding, Report, Step
from minimise.report.context import default_context
from minimise.report.sarif import MAX_RESULTS
from minimise.ruledocs import all_checks, render_rule_body, render_rule_text

SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
# GitHub code scanning's documented limits per upload (docs: "SARIF results exceed limit").
GITHUB_RUNS_PER_FILE = 20
GITHUB_RESULTS_PER_RUN = 25_000
GITHUB_SHOWN_RESULTS = 5_000
GITHUB_SHOWN_TAGS = 10
GITHUB_SHOWN_FLOW_LOCATIONS = 1_000
PRECISIONS = {"very-high", "high", "medium", "low"}
BOOKKEEPING = {"MIN505", "MIN506", "MIN901", "MIN902"}  # no weakness, so not security rules


@pytest.fixture(scope="module")
def schema() -> dict[str, object]:
    return sarif_schema()


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


def finding(code: str = "MIN301", line: int = 3, **values: Any) -> Finding:
    fields: dict[str, Any] = {
        "code": code,
        "name": all_checks()[code].name if code in all_checks() else "custom",
        "severity": "warning",
        "path": "pkg/views.py",
        "line": line,
        "column": 5,
        "category": "user.contact.email",
        "action": "log",
        "message": f"logged `email` ({line})",
        "fingerprint": hashlib.sha256(f"{code}{line}".encode()).hexdigest()[:20],
        "identifier": "email",
        "sensitivity": "medium",
        "via": "logging",
    }
    fields.update(values)
    return Finding(**fields)


def walk(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, value) pair anywhere in a JSON document."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in [(k, v), *walk(v, k)]]
    if isinstance(value, list):
        return [pair for v in value for pair in walk(v, key)]
    return []


def test_schema_copy_is_the_published_file() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256


def test_sarif_is_valid_and_exact(app_repo: Path, schema: dict[str, object]) -> None:
    text = rendered(scan_repo(app_repo), "sarif")
    document = json.loads(text)
    validate_sarif(document, schema)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"]) == ("minimise", __version__)
    assert "informationUri" not in driver
    checks = all_checks()
    assert [r["id"] for r in driver["rules"]] == sorted(checks)
    for rule in driver["rules"]:
        check = checks[rule["id"]]
        assert rule["name"] == check.name
        assert rule["shortDescription"]["text"] == check.summary.strip()
        # No docs-url configured: the rule's own documentation is embedded, nothing links to a made-up site.
        assert "helpUri" not in rule
        assert rule["help"] == {"text": render_rule_text(check), "markdown": render_rule_body(check)}
        assert rule["defaultConfiguration"]["level"] == check.severity
        assert "## Use instead" in rule["help"]["markdown"] and "Use instead:" in rule["help"]["text"]
    got = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"],
            r["locations"][0]["physicalLocation"]["region"],
        )
        for r in run["results"]
    ]
    assert got == [
        (
            "MIN301",
            "warning",
            {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
            {"startLine": 9, "startColumn": 35, "endLine": 9, "endColumn": 40, "snippet": {"text": "email"}},
        ),
        (
            "MIN402",
            "error",
            {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
            {"startLine": 11, "startColumn": 63, "endLine": 11, "endColumn": 75, "snippet": {"text": "phone_number"}},
        ),
    ]
    first = run["results"][0]
    assert first["message"]["text"] == f"{label('user.contact.email')} (user.contact.email) logged via logging: `email`"
    assert first["properties"] == {
        "category": "user.contact.email",
        "action": "log",
        "sensitivity": "medium",
        "identifier": "email",
        "security-severity": "5.0",
        "inTests": False,
    }
    # The context lines around the finding, with the literal email on line 10 masked.
    context = first["locations"][0]["physicalLocation"]["contextRegion"]
    assert (context["startLine"], context["endLine"]) == (7, 11)
    assert context["snippet"]["text"].splitlines()[3] == '    contact = "[email]"'
    assert "alice@example.com" not in text
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert run["automationDetails"] == {"id": "minimise/"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    assert "codeFlows" not in first  # no steps, no flow
    assert rendered(scan_repo(app_repo), "sarif") == text  # the same scan gives the same bytes


def test_sarif_meets_github_code_scanning_requirements(tmp_path: Path, schema: dict[str, object]) -> None:
    root = tmp_path / "repo"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "forms.py").write_text("def read(request):\n    return request.form['email']\n", encoding="utf-8")
    (root / "pkg" / "views.py").write_text(
        "from pkg.forms import read\n\n\ndef signup(request):\n    email = read(request)\n    log.info(email)\n",
        encoding="utf-8",
    )
    steps = (
        Step("pkg/forms.py", 2, "`request.form['email']` read from the request"),
        Step("pkg/views.py", 5, "returned by `read()` into `email`"),
        Step("pkg/views.py", 6, "passed to `log.info`"),
    )
    flowing = finding(line=6, steps=steps)
    single = finding("MIN402", line=5, severity="error", action="share", via="requests")
    report = Report(root=str(root), findings=[flowing, single], files_scanned=2)
    commit = "0123456789abcdef0123456789abcdef01234567"
    text = rendered(report, "sarif", context=default_context(report, commit=commit, branch="main"))
    document = json.loads(text)
    validate_sarif(document, schema)

    assert len(document["runs"]) == 1 <= GITHUB_RUNS_PER_FILE
    (run,) = document["runs"]
    assert run["automationDetails"]["id"] == f"minimise/{commit}"
    assert run["properties"] == {"commit": commit, "branch": "main"}
    rules = run["tool"]["driver"]["rules"]
    checks = all_checks()
    for rule in rules:
        properties = rule["properties"]
        assert rule["shortDescription"]["text"] and rule["fullDescription"]["text"] and rule["help"]["text"]
        assert rule["defaultConfiguration"]["level"] in ("note", "warning", "error")
        assert properties["precision"] in PRECISIONS
        assert "privacy" in properties["tags"] and len(properties["tags"]) <= GITHUB_SHOWN_TAGS
        cwe_tags = [t for t in properties["tags"] if t.startswith("external/cwe/cwe-")]
        if rule["id"] in BOOKKEEPING:
            assert "security" not in properties["tags"] and "security-severity" not in properties and not cwe_tags
            continue
        assert "security" in properties["tags"]
        assert cwe_tags == [f"external/cwe/cwe-{n}" for n in checks[rule["id"]].cwe] != []
        score = properties["security-severity"]
        assert isinstance(score, str) and 0.0 < float(score) <= 10.0 and score == f"{float(score):.1f}"
    assert {r["id"] for r in rules} - BOOKKEEPING == {c for c in checks if c not in BOOKKEEPING}
    by_id = {r["id"]: r["properties"] for r in rules}
    assert [t for t in by_id["MIN301"]["tags"] if "cwe" in t] == ["external/cwe/cwe-532"]
    assert [t for t in by_id["MIN201"]["tags"] if "cwe" in t] == ["external/cwe/cwe-312"]
    assert [t for t in by_id["MIN202"]["tags"] if "cwe" in t] == ["external/cwe/cwe-315"]
    assert [t for t in by_id["MIN402"]["tags"] if "cwe" in t] == ["external/cwe/cwe-598"]
    assert "external/cwe/cwe-359" in by_id["MIN401"]["tags"] and "external/cwe/cwe-201" in by_id["MIN401"]["tags"]
    assert (by_id["MIN201"]["security-severity"], by_id["MIN402"]["security-severity"]) == ("8.5", "7.0")
    assert by_id["MIN301"]["security-severity"] == "5.0"

    # Relative URIs only: nothing names this machine's folders.
    uris = [v for k, v in walk(document) if k == "uri"]
    assert uris and all(not u.startswith(("file:", "/")) and "://" not in u for u in uris)
    assert str(tmp_path) not in text and Path(os.path.abspath(tmp_path)).as_uri() not in text
    assert len(run["results"]) <= GITHUB_RESULTS_PER_RUN
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert len(result["partialFingerprints"]["minimiseFingerprint/v1"]) == 20
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert location["physicalLocation"]["region"]["startLine"] >= 1

    flow_result = next(r for r in run["results"] if r["ruleId"] == "MIN301")
    (flow,) = flow_result["codeFlows"]
    (thread,) = flow["threadFlows"]
    assert len(thread["locations"]) <= GITHUB_SHOWN_FLOW_LOCATIONS
    assert [
        (
            step["location"]["physicalLocation"]["artifactLocation"]["uri"],
            step["location"]["physicalLocation"]["region"]["startLine"],
            step["location"]["message"]["text"],
            step["executionOrder"],
        )
        for step in thread["locations"]
    ] == [
        ("pkg/forms.py", 2, "`request.form['email']` read from the request", 1),
        ("pkg/views.py", 5, "returned by `read()` into `email`", 2),
        ("pkg/views.py", 6, "passed to `log.info`", 3),
    ]
    assert "codeFlows" not in next(r for r in run["results"] if r["ruleId"] == "MIN402")


def test_sarif_flow_ends_at_the_finding_and_masks_messages(tmp_path: Path, schema: dict[str, object]) -> None:
    steps = (Step("a.py", 1, "literal bob@example.com assigned to `email`"),)
    report = Report(root=str(tmp_path), findings=[finding(steps=steps, line=4, via="logging")])
    document = json.loads(rendered(report, "sarif"))
    validate_sarif(document, schema)
    (result,) = document["runs"][0]["results"]
    locations = result["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [
        (loc["location"]["physicalLocation"]["artifactLocation"]["uri"], loc["location"]["message"]["text"])
        for loc in locations
    ] == [("a.py", "literal [email] assigned to `email`"), ("pkg/views.py", "log via logging")]


def test_sarif_security_severity_of_results_follows_the_data(tmp_path: Path) -> None:
    findings = [
        finding(line=1),
        finding(line=2, severity="error", sensitivity="special", category="user.health_and_medical"),
        finding(line=3, severity="error", sensitivity="high", category="user.authorization.credentials"),
        finding(line=4, severity="error", sensitivity="high", category="user.financial.credit_card"),
        finding(line=5, severity="note", sensitivity="low", category="user.unique_id"),
    ]
    document = json.loads(rendered(Report(root=str(tmp_path), findings=findings), "sarif"))
    scores = [r["properties"]["security-severity"] for r in document["runs"][0]["results"]]
    assert scores == ["5.0", "9.5", "9.5", "8.5", "1.5"]


def test_sarif_keeps_the_most_severe_results_within_github_limits(tmp_path: Path, schema: dict[str, object]) -> None:
    assert MAX_RESULTS == GITHUB_SHOWN_RESULTS
    findings = [finding(line=n, severity="note", sensitivity="low") for n in range(1, 5)]
    findings += [
        finding(line=10, severity="error", sensitivity="special", category="user.health_and_medical"),
        finding(line=11, severity="warning"),
        finding(line=12, severity="error", sensitivity="high", category="user.financial.credit_card"),
    ]
    report = Report(root=str(tmp_path), findings=findings)
    document = json.loads(rendered(report, "sarif", max_results=3))
    validate_sarif(document, schema)
    (run,) = document["runs"]
    kept = [r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in run["results"]]
    assert kept == [10, 11, 12]  # the error and warning findings, in report order
    (notice,) = run["invocations"][0]["toolExecutionNotifications"]
    assert notice["level"] == "warning"
    assert notice["descriptor"] == {"id": "minimise/results-truncated"}
    assert notice["message"]["text"].startswith(
        "4 of 7 results left out: GitHub code scanning keeps at most 3 results per run"
    )
    untouched = json.loads(rendered(report, "sarif"))
    assert len(untouched["runs"][0]["results"]) == 7
    assert untouched["runs"][0]["invocations"][0]["toolExecutionNotifications"] == []


def test_sarif_reports_unanalysed_files_and_escapes_uris(tmp_path: Path, schema: dict[str, object]) -> None:
    root = tmp_path / "repo"
    (root / "my dir").mkdir(parents=True)
    (root / "my dir" / "app#1.py").write_text(APP, encoding="utf-8")
    (root / "broken.py").write_text("def (:\n    user.email\n", encoding="utf-8")
    document = json.loads(rendered(scan_repo(root), "sarif"))
    validate_sarif(document, schema)
    (run,) = document["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"my%20dir/app%231.py"}
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"].startswith("broken.py: not analysed: cannot parse")
    location = note["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "broken.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_paths_are_relative_to_the_repository_root(tmp_path: Path, schema: dict[str, object]) -> None:
    repo = tmp_path / "project"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text(APP, encoding="utf-8")
    report = scan_repo(repo / "src")
    document = json.loads(rendered(report, "sarif"))
    validate_sarif(document, schema)
    (run,) = document["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"src/app.py"}
    assert "uri" not in run["originalUriBaseIds"]["%SRCROOT%"]
    # Only when asked for does the log record where the repository sits on this machine.
    asked = json.loads(rendered(report, "sarif", absolute_srcroot=True))
    validate_sarif(asked, schema)
    assert asked["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(os.path.abspath(repo)).as_uri() + "/"


def test_sarif_path_outside_the_source_root_stays_relative(tmp_path: Path, schema: dict[str, object]) -> None:
    report = Report(root=str(tmp_path / "a"), findings=[finding(path="../b/x.py")])
    document = json.loads(rendered(report, "sarif", srcroot=tmp_path / "a"))
    validate_sarif(document, schema)
    artifact = document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": "../b/x.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_adds_a_rule_for_a_code_outside_the_shipped_checks(tmp_path: Path, schema: dict[str, object]) -> None:
    custom = finding("MIN599", severity="note", action="store", message="custom")
    document = json.loads(rendered(Report(root=str(tmp_path), findings=[custom]), "sarif"))
    validate_sarif(document, schema)
    (run,) = document["runs"]
    (result,) = run["results"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "MIN599"
    assert result["level"] == "note"


def test_sarif_marks_results_in_tests_and_new_against_a_baseline(tmp_path: Path, schema: dict[str, object]) -> None:
    from minimise.report.context import BaselineInfo

    report = Report(root=str(tmp_path), findings=[finding(path="tests/test_views.py"), finding(line=9)])
    context = default_context(report, baseline=BaselineInfo("base.json"))
    document = json.loads(rendered(report, "sarif", context=context))
    validate_sarif(document, schema)
    results = document["runs"][0]["results"]
    assert [(r["properties"]["inTests"], r["baselineState"]) for r in results] == [(False, "new"), (True, "new")]


def test_sarif_code_flow_of_the_project_wide_analysis(schema: dict[str, object]) -> None:
    """A real cross-module flow: the fixture project sends a signup email through three modules."""
    root = Path(__file__).parent / "fixtures" / "project"
    report = scan_repo(root)
    document = json.loads(rendered(report, "sarif", srcroot=root))
    validate_sarif(document, schema)
    (found,) = [
        f for f in report.findings if (f.code, f.path, f.line) == ("MIN401", "shopapp/services/accounts.py", 12)
    ]
    assert len(found.steps) >= 3
    (result,) = [
        r
        for r in document["runs"][0]["results"]
        if r["ruleId"] == "MIN401"
        and r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "shopapp/services/accounts.py"
        and r["locations"][0]["physicalLocation"]["region"]["startLine"] == 12
    ]
    flow = [
        (
            loc["location"]["physicalLocation"]["artifactLocation"]["uri"],
            loc["location"]["physicalLocation"]["region"]["startLine"],
            loc["location"]["message"]["text"],
        )
        for loc in result["codeFlows"][0]["threadFlows"][0]["locations"]
    ]
    assert flow == [(s.path, s.line, s.message) for s in found.steps]
    assert flow[0][:2] == ("shopapp/services/accounts.py", 12) and flow[-1][0] != flow[0][0]
    # The view whose signup email this is, not reported again, is a related location of the result.
    related = [
        (
            loc["physicalLocation"]["artifactLocation"]["uri"],
            loc["physicalLocation"]["region"]["startLine"],
            loc["message"]["text"],
        )
        for loc in result["relatedLocations"]
    ]
    assert related == [("shopapp/web/views.py", 19, "reaches here from `shopapp.web.views.signup`")]
