"""Files that name nothing personal are parsed only when an analysed module reaches them."""

from __future__ import annotations

import shutil
from pathlib import Path

from minimise.analysis.summary import CallSite, ModuleSummary
from minimise.deferral import linked_summaries, reached
from minimise.discover import Target
from minimise.engine import EngineOptions, run_files
from minimise.scan import ScanOptions, scan

PROJECT = Path(__file__).parent / "fixtures" / "project"


def _summary(module: str, calls: tuple[str, ...] = (), reached_only: bool = True) -> ModuleSummary:
    sites = [CallSite(callee, callee.rsplit(".", 1)[-1], 1, module, None, None, ()) for callee in calls]
    return ModuleSummary(module=module, path=module.replace(".", "/") + ".py", calls=sites, reached_only=reached_only)


def test_helpers_are_reached_through_chains_of_calls_and_nothing_else_is() -> None:
    views = _summary("app.views", ("app.mail.notify",), reached_only=False)
    mail = _summary("app.mail", ("app.transport.deliver",))
    transport = _summary("app.transport")
    unused = _summary("app.reports", ("app.transport.deliver",))
    modules, pending = reached([views, mail, transport, unused], {"app.mail", "app.reports"})
    assert {"app.mail", "app.transport"} <= modules and "app.reports" not in modules
    assert pending == {"app.mail"}
    assert [s.module for s in linked_summaries([views, mail, transport, unused])] == [
        "app.views",
        "app.mail",
        "app.transport",
    ]


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


LOGGER = "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
APP = {
    "app/__init__.py": "",
    "app/views.py": (
        "from app.notify import announce\n\n\ndef signup(form):\n    email = form['email']\n    announce(email)\n"
    ),
    "app/notify.py": "from app.transport import post\n\n\ndef announce(text):\n    post(text)\n",
    "app/transport.py": LOGGER + "def post(value):\n    log.info(value)\n",
    "app/reports.py": LOGGER + "def weekly(rows):\n    log.info(rows)\n",
}


def _targets(root: Path) -> list[Target]:
    return [Target(path, path.relative_to(root).as_posix()) for path in sorted(root.rglob("*.py"))]


def test_a_helper_two_imports_away_is_analysed_and_an_unused_one_is_not(tmp_path: Path) -> None:
    _write(tmp_path, APP)
    first = {r.path: r for r in run_files(_targets(tmp_path), EngineOptions(), jobs=1, defer=True)}
    assert [p for p, r in first.items() if r.deferred] == ["app/notify.py", "app/reports.py", "app/transport.py"]
    report = scan(ScanOptions(paths=[tmp_path], root=tmp_path, jobs=1))
    logged = [(f.path, f.line, f.code, f.category) for f in report.findings]
    assert logged == [("app/views.py", 6, "MIN301", "user.contact.email")]


def test_deferring_changes_no_result_on_the_fixture_project(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)

    def points(defer: bool, cache: Path | None) -> list[tuple[str, int, str, str]]:
        options = ScanOptions(paths=[root], root=root, jobs=1, cache_dir=cache, defer_summaries=defer)
        return [(p.path, p.line, p.action, p.category) for p in scan(options).data_points]

    everything = points(False, None)
    assert len(everything) > 20
    assert points(True, None) == everything
    cache = tmp_path / "cache"
    assert points(False, cache) == everything  # full results cached for every file
    assert points(True, cache) == everything  # read back under deferral: unreached summaries left out


def test_a_deferred_answer_in_the_cache_never_stands_for_the_full_result(tmp_path: Path) -> None:
    _write(tmp_path, APP)
    cache = tmp_path / "cache"
    targets = [t for t in _targets(tmp_path) if t.display == "app/reports.py"]
    (deferred,) = run_files(targets, EngineOptions(), jobs=1, cache_dir=cache, defer=True)
    (again,) = run_files(targets, EngineOptions(), jobs=1, cache_dir=cache, defer=True)
    (full,) = run_files(targets, EngineOptions(), jobs=1, cache_dir=cache)
    assert deferred.deferred and again.deferred and deferred.summary is None
    assert not full.deferred and full.summary is not None and full.summary["reached_only"] is True


def test_reached_files_are_analysed_by_the_same_workers_or_in_process(tmp_path: Path) -> None:
    _write(tmp_path, APP)
    expected = [("app/views.py", 6, "MIN301", "user.contact.email")]
    for engine, jobs in ((EngineOptions(), 2), (EngineOptions(time_limit=0), 1)):
        report = scan(ScanOptions(paths=[tmp_path], root=tmp_path, jobs=jobs, engine=engine))
        assert [(f.path, f.line, f.code, f.category) for f in report.findings] == expected


def test_a_warm_scan_reaches_a_helper_newly_imported(tmp_path: Path) -> None:
    _write(tmp_path, APP)
    cache = tmp_path.parent / f"{tmp_path.name}-cache"
    views = tmp_path / "app" / "views.py"
    views.write_text("def signup(form):\n    return form['email']\n")
    assert not scan(ScanOptions(paths=[tmp_path], root=tmp_path, jobs=1, cache_dir=cache)).findings
    views.write_text(APP["app/views.py"])  # the deferred helpers are in the cache as deferred
    report = scan(ScanOptions(paths=[tmp_path], root=tmp_path, jobs=1, cache_dir=cache))
    assert [(f.path, f.line) for f in report.findings] == [("app/views.py", 6)]
