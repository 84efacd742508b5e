"""Code nested as deeply as CPython accepts is analysed, not refused as "nested too deeply"."""

from __future__ import annotations

from pathlib import Path

import pytest

from minimise.discover import Target
from minimise.engine import EngineOptions, run_files

HEAD = "import logging\nlog = logging.getLogger(__name__)\n"


def elifs(count: int) -> tuple[str, int]:
    """A chain of ``count`` branches whose last logs an email, and the line of that call."""
    body = HEAD + "def route(user, n):\n    if n == 0:\n        pass\n"
    body += "".join(f"    elif n == {i}:\n        pass\n" for i in range(1, count))
    body += "    else:\n        log.info(user.email)\n"
    return body, body.count("\n")


def nested_calls(depth: int) -> tuple[str, int]:
    body = HEAD + "def show(user):\n    log.info(" + "str(" * depth + "user.email" + ")" * depth + ")\n"
    return body, 4


SHAPES = {
    "976 elifs": elifs(976),
    "2500 elifs": elifs(2500),
    "122 nested calls": nested_calls(122),
    "199 nested calls": nested_calls(199),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_deep_valid_code_is_analysed_in_a_real_scan(tmp_path: Path, proc_scan, shape: str) -> None:
    source, line = SHAPES[shape]
    compile(source, "deep.py", "exec")  # CPython accepts it, so minimise must too
    (tmp_path / "deep.py").write_text(source)
    scan = proc_scan(tmp_path, "--no-cache", "-j1", "--select", "MIN301,MIN001")
    assert scan.errors == {}
    assert scan.codes("deep.py") == [("MIN301", line)]


@pytest.mark.parametrize("time_limit", [0, 20])
def test_deep_code_with_and_without_worker_processes(tmp_path: Path, time_limit: int) -> None:
    """Without a time limit the analysis runs in the scan process, in a thread with a deep stack."""
    source, line = elifs(2500)
    (tmp_path / "deep.py").write_text(source)
    [result] = run_files([Target(tmp_path / "deep.py", "deep.py")], EngineOptions(time_limit=time_limit), 1)
    assert result.error is None
    assert [(p.line, p.action, p.category) for p in result.data_points] == [(line, "log", "user.contact.email")]


def test_what_cpython_refuses_is_still_refused(tmp_path: Path, proc_scan) -> None:
    source = HEAD + "x = " + "(" * 201 + "email" + ")" * 201 + "\n"
    (tmp_path / "deep.py").write_text(source)
    scan = proc_scan(tmp_path, "--no-cache", "-j1")
    assert scan.errors == {
        "deep.py": (3, "code nested too deeply to analyse (more than 200 brackets; Python allows 200)")
    }
