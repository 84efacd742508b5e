"""The project-wide analysis: data followed through the application's own code across modules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from corpus import expectations

from minimise.engine import EngineOptions
from minimise.scan import ScanOptions, scan

PROJECT = Path(__file__).parent / "fixtures" / "project"

# The ratchet: every data point the fixture project expects but the analyser does not find, and
# every one it finds that the project does not expect. A fix or a regression must update these.
EXPECTED_MISSES: set[tuple[str, int, str, str]] = set()
EXPECTED_SPURIOUS: set[tuple[str, int, str, str]] = set()


def _found(root: Path, paths: list[Path] | None = None, cache: Path | None = None) -> dict[tuple, object]:
    report = scan(ScanOptions(paths=paths or [root], root=root, engine=EngineOptions(), jobs=1, cache_dir=cache))
    return {(p.path, p.line, p.action, p.category): p for p in report.data_points}


def test_fixture_project_is_scored_exactly() -> None:
    expected, protections = expectations(PROJECT)
    points = _found(PROJECT)
    found = set(points)
    assert len(expected) >= 20
    assert expected - found == EXPECTED_MISSES
    assert found - expected == EXPECTED_SPURIOUS
    stored = {key: point.protection for key, point in points.items() if key[2] == "store" and key in expected}
    assert stored == {key: protections.get(key, "none") for key in stored}


def test_fixture_project_has_the_layout_of_a_real_application() -> None:
    modules = sorted(p.relative_to(PROJECT).as_posix() for p in PROJECT.rglob("*.py"))
    assert len(modules) >= 15
    for required in ("shopapp/__init__.py", "shopapp/utils/logging.py", "shopapp/logfactory.py", "shopapp/base.py"):
        assert required in modules


def test_cross_module_points_carry_their_steps() -> None:
    points = _found(PROJECT)
    audit = points[("shopapp/web/views.py", 30, "log", "user.name")]
    assert [(s.path, s.line, s.message) for s in audit.steps] == [  # type: ignore[attr-defined]
        ("shopapp/web/views.py", 30, "passed as `account` to shopapp.services.accounts.close_account"),
        ("shopapp/services/accounts.py", 17, "passed as `actor` to shopapp.audit.audit"),
        ("shopapp/audit.py", 8, "logged by logging through shopapp.logfactory.root_logger.get_logger().info"),
    ]


def test_a_flow_into_a_sink_already_reported_is_one_finding() -> None:
    """Callers handing an email to the helper that raises it keep their data points, not a finding each."""
    report = scan(ScanOptions(paths=[PROJECT], root=PROJECT, engine=EngineOptions(), jobs=1, cache_dir=None))
    callers = {("shopapp/services/lookup.py", 23), ("shopapp/web/directory.py", 10)}
    reached = [p for p in report.data_points if (p.path, p.line) in callers and p.category == "user.contact.email"]
    assert [(p.path, p.line, p.steps[-1].line) for p in reached] == [  # type: ignore[attr-defined]
        ("shopapp/services/lookup.py", 23, 10),
        ("shopapp/web/directory.py", 10, 10),
    ]
    findings = {(f.path, f.line, f.code) for f in report.findings}
    assert ("shopapp/services/lookup.py", 10, "MIN302") in findings
    assert not {(path, line) for path, line, _ in findings} & callers


def test_steps_are_in_the_json_report(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from minimise.cli import cli

    out = tmp_path / "report.json"
    result = CliRunner().invoke(
        cli, ["scan", str(PROJECT), "--no-inventory", "--no-cache", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 1, result.output
    findings = json.loads(out.read_text())["findings"]
    at_call = [f for f in findings if f["path"].endswith("views.py") and f["line"] == 19]
    crm = [f for f in at_call if "user.name" in f["message"]]
    assert len(at_call) == 1 and len(crm) == 1
    assert [s["line"] for s in crm[0]["steps"]] == [19, 13, 7]
    assert crm[0]["steps"][-1]["path"].endswith("integrations/crm.py")
    # The email goes on through `announce(email)` in the service, reported there for it: the view's
    # call keeps its data point, and is not a second finding.
    report = json.loads(out.read_text())
    assert [
        (p["line"], p["action"])
        for p in report["data_points"]
        if p["path"].endswith("views.py") and p["line"] == 19 and p["category"] == "user.contact.email"
    ] == [(19, "share")]
    (in_service,) = [f for f in findings if f["path"].endswith("services/accounts.py") and f["line"] == 12]
    assert in_service["category"] == "user.contact.email"
    # ...and the finding there says where its data comes from.
    assert [(s["path"], s["line"], s["message"]) for s in in_service["reached_from"]] == [
        ("tests/fixtures/project/shopapp/web/views.py", 19, "reaches here from `shopapp.web.views.signup`")
    ]


def test_scanning_a_few_files_gives_the_same_points_as_the_full_scan(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    full = _found(root)
    # With every module that writes a password: a column's protection is judged from the writes scanned.
    chosen = [
        "shopapp/web/views.py",
        "shopapp/services/accounts.py",
        "shopapp/models.py",
        "shopapp/services/rota.py",
        "shopapp/web/profile.py",
        "shopapp/web/suppliers.py",
    ]
    for cache in (None, tmp_path / "cache"):
        partial = _found(root, [root / c for c in chosen], cache)
        assert partial == {k: v for k, v in full.items() if k[0] in chosen}


def test_a_changed_helper_changes_the_result_of_the_modules_that_use_it(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    cache = tmp_path / "cache"
    key = ("shopapp/web/views.py", 20, "log", "user.contact.phone_number")
    assert key in _found(root, cache=cache)
    helper = root / "shopapp" / "utils" / "logging.py"
    helper.write_text(helper.read_text().replace("_log.info(event, extra=fields)", "_log.info(event)"))
    views = [root / "shopapp" / "web" / "views.py"]
    assert key not in _found(root, views, cache)
    assert key not in _found(root, cache=cache)


def test_explain_prints_the_steps_across_modules(tmp_path: Path) -> None:
    import subprocess
    import sys

    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    result = subprocess.run(
        [sys.executable, "-m", "minimise", "explain", "shopapp/web/views.py:30"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    )
    steps = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("step ")]
    assert steps == [
        "step 1:     shopapp/web/views.py:30: passed as `account` to shopapp.services.accounts.close_account",
        "step 2:     shopapp/services/accounts.py:17: passed as `actor` to shopapp.audit.audit",
        "step 3:     shopapp/audit.py:8: logged by logging through shopapp.logfactory.root_logger.get_logger().info",
    ], result.stdout + result.stderr


def test_a_commands_helper_prints_to_its_operator_not_to_a_log() -> None:
    report = scan(ScanOptions(paths=[PROJECT], root=PROJECT, engine=EngineOptions(), jobs=1, cache_dir=None))
    printed = [p for p in report.data_points if (p.path, p.line, p.action) == ("shopapp/cli/admin.py", 11, "log")]
    assert [(p.category, p.sink_kind) for p in printed] == [("user.contact.email", "console")]
    assert not [f for f in report.findings if f.path == "shopapp/cli/admin.py"]
