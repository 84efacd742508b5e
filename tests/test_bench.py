"""The benchmark's own parts: verdicts from the spread, memory summed over a process tree, the corpus."""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))

from generator import generate  # noqa: E402
from measure import Ratio, run_once, verdict  # noqa: E402
from suite import edit_one_line  # noqa: E402


def _digest(root: Path) -> str:
    sha = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        sha.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return sha.hexdigest()


def test_verdict_follows_the_whole_spread() -> None:
    assert verdict(Ratio(0.45, 0.40, 0.49, []), 0.5) == "met"
    assert verdict(Ratio(0.48, 0.44, 0.53, []), 0.5) == "unclear"  # one round over: not a pass
    assert verdict(Ratio(0.60, 0.51, 0.70, []), 0.5) == "missed"
    assert verdict(None, 0.5) == "n/a"


def test_peak_memory_is_summed_over_the_process_tree(tmp_path: Path) -> None:
    # A parent and two children each hold 60 MiB at once: the sum must see all three.
    child = "import sys; b = bytearray(60 * 2**20); print('ready', flush=True); sys.stdin.read()"
    script = (
        "import subprocess, sys, time\n"
        "b = bytearray(60 * 2**20)\n"
        f"ps = [subprocess.Popen([sys.executable, '-c', {child!r}], stdin=subprocess.PIPE, stdout=subprocess.PIPE)"
        " for _ in range(2)]\n"
        "[p.stdout.readline() for p in ps]  # both hold their memory now\n"
        "time.sleep(0.5)\n"
        "[p.communicate(b'') for p in ps]\n"
    )
    run = run_once([sys.executable, "-c", script], tmp_path)
    assert run.rc == 0
    assert run.peak_one_mib >= 60
    assert run.peak_sum_mib >= 180
    assert run.wall >= 0.5


def test_corpus_is_deterministic_and_share_makes_it_sparse(tmp_path: Path) -> None:
    first = generate(tmp_path / "a", 8000, 7)
    again = generate(tmp_path / "b", 8000, 7)
    sparse = generate(tmp_path / "c", 8000, 7, 0.03)
    assert first == again
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")
    assert first["pd_lines"] / first["lines"] > 0.5
    assert sparse["pd_lines"] / sparse["lines"] < 0.25
    for path in (tmp_path / "a").rglob("*.py"):
        ast.parse(path.read_text(), str(path))


def test_an_edit_changes_one_line_and_keeps_the_file_valid(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text('x = (\n    1,\n)\ny = "a"  # note\n')
    edit_one_line(path, 1)
    edit_one_line(path, 2)
    # The last logical line carries the edit, and the previous edit is replaced, not piled up.
    assert path.read_text() == 'x = (\n    1,\n)\ny = "a"  # note  # bench edit 2\n'
    subprocess.run([sys.executable, "-c", f"import ast; ast.parse(open({str(path)!r}).read())"], check=True)


def test_minimise_runs_measured_with_its_bytecode_written(monkeypatch) -> None:
    import importlib.util
    import os

    import minimise
    from bench import prepare_bytecode

    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    said = prepare_bytecode()
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ
    assert said.endswith("(PYTHONDONTWRITEBYTECODE was set; removed for the runs)")
    package = Path(minimise.__file__).resolve().parent
    modules = sorted(package.rglob("*.py"))
    assert len(modules) > 50
    assert [m for m in modules if not Path(importlib.util.cache_from_source(str(m))).is_file()] == []
