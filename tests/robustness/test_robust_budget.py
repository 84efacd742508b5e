"""The per-file budget: a file too slow or too big to analyse is a MIN001 finding, and the scan goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import LOG_EMAIL, assert_clean_stderr

from minimise.discover import Target
from minimise.engine import EngineOptions, analyse_bounded, run_files

# About 10,000 functions: seconds of analysis on any machine, far beyond a budget of one second.
SLOW = "import logging\nlog = logging.getLogger(__name__)\n" + "".join(
    f"def f{i}(user):\n    log.info(user.email)\n" for i in range(10_000)
)
GOOD_MESSAGE = "Email address (user.contact.email) logged via logging: `email`"
OVER_TIME = "names personal data but could not be analysed: took longer than 1 s"


def _slow_tree(root: Path) -> Path:
    root.mkdir(exist_ok=True)
    (root / "a_good.py").write_text(LOG_EMAIL)
    (root / "slow.py").write_text(SLOW)
    (root / "z_good.py").write_text(LOG_EMAIL)
    return root


def _finding_lines(scan) -> list[tuple[str, str, int, str]]:  # noqa: ANN001
    return sorted((f["path"], f["code"], f["line"], f["message"]) for f in scan.data["findings"])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_slow_file_is_min001_and_the_others_are_reported(tmp_path: Path, proc_scan, jobs: str) -> None:
    root = _slow_tree(tmp_path / "app")
    started = time.monotonic()
    scan = proc_scan(root, "--no-cache", "-j", jobs, "--file-time-limit", "1", "--select", "MIN001,MIN301")
    elapsed = time.monotonic() - started
    assert scan.code == 1, scan.stderr
    assert_clean_stderr(scan.stderr)
    found = _finding_lines(scan)
    assert ("slow.py", "MIN001", 1, OVER_TIME) in found
    assert [f for f in found if f[0] != "slow.py"] == [
        ("a_good.py", "MIN301", 4, GOOD_MESSAGE),
        ("z_good.py", "MIN301", 4, GOOD_MESSAGE),
    ]
    assert scan.errors["slow.py"] == (0, "could not be analysed: took longer than 1 s")
    assert elapsed < 40


def test_time_limit_from_the_configuration_and_zero_means_none(tmp_path: Path, proc_scan) -> None:
    root = _slow_tree(tmp_path / "app")
    (root / "pyproject.toml").write_text("[tool.minimise]\nfile-time-limit = 1\n")
    scan = proc_scan(root, "--no-cache", "-j1", "--select", "MIN001")
    assert [(f[0], f[2], f[3]) for f in _finding_lines(scan)] == [("slow.py", 1, OVER_TIME)]
    unlimited = proc_scan(root, "--no-cache", "-j1", "--select", "MIN001,MIN301", "--file-time-limit", "0", timeout=300)
    assert unlimited.errors == {}
    assert len([f for f in _finding_lines(unlimited) if f[0] == "slow.py"]) == 10_000


def test_bad_time_limit_is_one_line_exit_2(tmp_path: Path, proc_scan) -> None:
    root = _slow_tree(tmp_path / "app")
    (root / "pyproject.toml").write_text('[tool.minimise]\nfile_time_limit = "soon"\n')
    scan = proc_scan(root, "--no-cache")
    assert scan.code == 2
    assert scan.stderr.strip().endswith("file_time_limit: expected a whole number >= 0, got str 'soon'")
    assert len(scan.stderr.splitlines()) == 1


def test_file_over_the_size_limit_is_min001(tmp_path: Path, proc_scan) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "good.py").write_text(LOG_EMAIL)
    (root / "table.py").write_text("ROWS = [\n" + "    ('email', 1),\n" * 100_000 + "]\n")  # 1.8 MiB
    (root / "numbers.py").write_text("ROWS = [\n" + "    (3, 1),\n" * 200_000 + "]\n")  # 2.1 MiB, nothing personal
    generated = "# Generated Tue Apr  4 08:40:19 2023 by generateDS.py version 2.41.3.\n"
    (root / "schema.py").write_text(generated + "ROWS = [\n" + "    ('email', 1),\n" * 100_000 + "]\n")
    scan = proc_scan(root, "--no-cache", "-j1", "--file-size-limit", "1", "--select", "MIN001,MIN301")
    assert scan.code == 1, scan.stderr
    assert _finding_lines(scan) == [
        ("good.py", "MIN301", 4, GOOD_MESSAGE),
        ("table.py", "MIN001", 1, "names personal data but could not be analysed: larger than 1 MiB"),
    ]
    assert scan.errors == {
        "numbers.py": (0, "could not be analysed: larger than 1 MiB"),
        "schema.py": (0, "could not be analysed: larger than 1 MiB"),  # a generator's output: listed, no finding
        "table.py": (0, "could not be analysed: larger than 1 MiB"),
    }


def test_over_budget_results_are_not_cached(tmp_path: Path) -> None:
    root = _slow_tree(tmp_path / "app")
    cache = tmp_path / "cache"
    targets = [Target(root / "slow.py", "slow.py")]
    first = list(run_files(targets, EngineOptions(time_limit=1), 1, cache))
    assert first[0].error is not None and first[0].error.message == "could not be analysed: took longer than 1 s"
    again = list(run_files(targets, EngineOptions(time_limit=0), 1, cache))
    assert again[0].error is None and len(again[0].data_points) == 10_000


def test_bounded_single_file_analysis(tmp_path: Path) -> None:
    """What flake8 and stdin use: one file in a worker that is killed when over the budget."""
    options = EngineOptions(time_limit=1)
    knowledge = options.knowledge()
    started = time.monotonic()
    slow = analyse_bounded(SLOW.encode(), "slow.py", options, knowledge, None)
    assert slow.error is not None and slow.error.message == "could not be analysed: took longer than 1 s"
    assert time.monotonic() - started < 20
    good = analyse_bounded(LOG_EMAIL.encode(), "good.py", options, knowledge, None)
    assert [(p.line, p.action, p.category) for p in good.data_points] == [(4, "log", "user.contact.email")]


def test_a_worker_killed_by_a_signal_loses_only_its_file(tmp_path: Path, monkeypatch, cli_scan) -> None:
    """A native crash (or the kernel's out-of-memory killer) ends one worker: one error, the rest is scanned."""
    import minimise.engine as engine

    root = _slow_tree(tmp_path / "app")
    (root / "slow.py").write_text("import os\nemail = 1\n")
    real = engine.analyse_file

    def crash_on_slow(target, *args):  # noqa: ANN001, ANN002, ANN202
        if target.display == "slow.py":
            os.kill(os.getpid(), signal.SIGKILL)
        return real(target, *args)

    monkeypatch.setattr(engine, "analyse_file", crash_on_slow)
    scan = cli_scan(root)
    assert scan.code == 1
    assert scan.errors == {"slow.py": (0, "internal error: the analysing process was ended by SIGKILL")}
    assert sorted(scan.codes("a_good.py") + scan.codes("z_good.py")) == [("MIN301", 4), ("MIN301", 4)]


def test_flake8_keeps_the_budget(tmp_path: Path) -> None:
    root = _slow_tree(tmp_path / "app")
    (root / "pyproject.toml").write_text("[tool.minimise]\nfile_time_limit = 1\n")
    env = {k: v for k, v in os.environ.items() if k != "MINIMISE_STRICT"}
    command = [sys.executable, "-m", "flake8", "--select=MIN001,MIN301", "a_good.py", "slow.py"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=120, env=env)
    assert "Traceback" not in done.stderr
    assert done.stdout.splitlines() == [
        f"a_good.py:4:22: MIN301 {GOOD_MESSAGE}",
        f"slow.py:1:1: MIN001 {OVER_TIME}",
    ]
    # Text that is not the file on disk (stdin) is checked on its own, in a worker under the same budget.
    stdin = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=MIN001", "--stdin-display-name=slow.py", "-"],
        cwd=root,
        input=SLOW,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert stdin.stdout.splitlines() == [f"slow.py:1:1: MIN001 {OVER_TIME}"]


def test_flake8_does_not_hang_on_a_nested_match_pattern(tmp_path: Path) -> None:
    """The cheap pre-check refuses it before the parser sees it: one MIN001 line, in seconds."""
    root = tmp_path / "app"
    root.mkdir()
    pattern = "[" * 24 + "email" + "]" * 24
    (root / "hang.py").write_text(f"match user:\n case {pattern}:\n  pass\n")
    env = {k: v for k, v in os.environ.items() if k != "MINIMISE_STRICT"}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=MIN", "hang.py"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert time.monotonic() - started < 60
    assert "Traceback" not in done.stderr
    assert len(done.stdout.splitlines()) == 1
    assert done.stdout.startswith(
        "hang.py:2:1: MIN001 names personal data but was not analysed: match pattern too deeply"
    )


@pytest.mark.parametrize(("recycle_rss", "fresh_workers"), [(1, 3), (1 << 40, 1)])
def test_a_worker_grown_big_is_replaced(recycle_rss: int, fresh_workers: int) -> None:
    """Memory a worker took for one big file is given back by replacing the worker."""
    from minimise.workers import StoppablePool

    pool = StoppablePool(
        jobs=1,
        seconds=10,
        work=lambda _item: os.getpid(),
        overtime=lambda item: None,
        died=lambda item, reason: None,
        recycle_rss=recycle_rss,
    )
    assert len(set(pool.run(["a", "b", "c"]))) == fresh_workers


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="jobs are capped at the CPU count")
def test_no_time_limit_still_runs_jobs_in_parallel(tmp_path: Path, monkeypatch) -> None:
    import minimise.engine as engine
    from minimise.model import FileResult

    monkeypatch.setattr(engine, "analyse_file", lambda target, *args: FileResult(str(os.getpid())))
    targets = [Target(tmp_path / f"m{i}.py", f"m{i}.py") for i in range(8)]
    pids = {result.path for result in run_files(targets, EngineOptions(time_limit=0), 2)}
    assert str(os.getpid()) not in pids and 1 <= len(pids) <= 2
    alone = {result.path for result in run_files(targets, EngineOptions(time_limit=0), 1)}
    assert alone == {str(os.getpid())}  # one job and no budget: no worker process at all
