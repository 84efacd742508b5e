"""Timing one whole process from outside: wall clock, CPU and memory summed over its process tree."""

from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE_EVERY = 0.02  # seconds between memory samples


@dataclass
class Run:
    wall: float
    cpu: float
    peak_sum_mib: float  # largest sampled sum of resident sets over the whole process tree
    peak_one_mib: float  # largest resident set of any one process of the tree
    rc: int
    stderr: str


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as handle:
                found += [int(x) for x in handle.read().split()]
    except OSError:
        pass
    return found


def _rss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as handle:
            return int(handle.read().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


class TreeMemory:
    """Samples the resident set of a process and all its descendants until stopped."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_sum = 0
        self.peak_one = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            pending, total = [self.pid], 0
            while pending:
                pid = pending.pop()
                rss = _rss_bytes(pid)
                total += rss
                self.peak_one = max(self.peak_one, rss)
                pending += _children(pid)
            self.peak_sum = max(self.peak_sum, total)
            self._stop.wait(SAMPLE_EVERY)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def run_once(argv: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Spawn ``argv`` with its output discarded and time it from spawn to reap."""
    start = time.perf_counter()
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    memory = TreeMemory(process.pid)
    assert process.stderr is not None
    try:
        err = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
    except BaseException:
        process.kill()  # interrupted: leave no process behind
        process.wait()
        raise
    finally:
        memory.stop()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss of a child covers its waited-for descendants too; it bounds the sampled peak from above.
    one = max(memory.peak_one, 0) / 2**20 or usage.ru_maxrss / 1024
    return Run(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_sum_mib=max(memory.peak_sum / 2**20, one),
        peak_one_mib=one,
        rc=process.returncode,
        stderr=err.decode(errors="replace")[-400:],
    )


@dataclass
class Workload:
    key: str
    label: str
    argv: list[str]
    files: int
    lines: int
    cwd: Path | None = None
    env: dict[str, str] | None = None
    before: Callable[[], None] | None = None  # untimed, before every run (an edit, a fresh cache)
    after: Callable[[], None] | None = None  # untimed, after every run
    runs: list[Run] = field(default_factory=list)

    def walls(self) -> list[float]:
        return [r.wall for r in self.runs]


def interleave(workloads: list[Workload], repeat: int, warmup: int, say: Callable[[str], None]) -> None:
    """Run every workload once per round, round after round, so a drift of the machine hits all alike."""
    rounds = warmup + repeat
    for number in range(rounds):
        for workload in workloads:
            if workload.before:
                workload.before()
            run = run_once(workload.argv, workload.cwd, workload.env)
            if workload.after:
                workload.after()
            if run.rc not in (0, 1):
                say(f"  {workload.key}: exit {run.rc}: {run.stderr.strip()[-300:]}")
            if number >= warmup:
                workload.runs.append(run)
        say(f"round {number + 1}/{rounds} done" + (" (warm-up, discarded)" if number < warmup else ""))


@dataclass
class Ratio:
    median: float
    low: float
    high: float
    values: list[float]

    def shown(self, digits: int = 2) -> str:
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}–{self.high:.{digits}f})"


def ratio(a: Workload | None, b: Workload | None) -> Ratio | None:
    """Wall of ``a`` over wall of ``b``, round by round: median and spread."""
    if a is None or b is None or not a.runs or not b.runs:
        return None
    values = [x.wall / y.wall for x, y in zip(a.runs, b.runs, strict=False)]
    return Ratio(statistics.median(values), min(values), max(values), values)


def spread(values: Sequence[float]) -> Ratio | None:
    if not values:
        return None
    return Ratio(statistics.median(values), min(values), max(values), list(values))


def verdict(measured: Ratio | None, limit: float) -> str:
    """``met`` when every round is within the limit, ``missed`` when none is, else ``unclear``."""
    if measured is None:
        return "n/a"
    if measured.high <= limit:
        return "met"
    if measured.low > limit:
        return "missed"
    return "unclear"
