"""Worker processes never outlive the scan that started them, whatever kills it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal is Linux's")

BODY = "import logging\nlog = logging.getLogger(__name__)\n" + "".join(
    f"def f{i}(user):\n    log.info('x %s', user.email_{i})\n" for i in range(300)
)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_die_when_the_scan_is_killed(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    for i in range(120):
        (root / f"m{i}.py").write_text(BODY)
    scan = subprocess.Popen(
        [sys.executable, "-m", "minimise", "scan", str(root), "--no-cache", "-j", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    workers: list[int] = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(workers) < 2:
        workers = _children(scan.pid)
        time.sleep(0.05)
    assert workers, "the scan started no worker processes"
    os.kill(scan.pid, signal.SIGKILL)
    scan.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.1)
    assert not [w for w in workers if _alive(w)]
