"""Paths: each file is scanned once however it is named; link loops are called loops; memory errors say so."""

from __future__ import annotations

from pathlib import Path

from conftest import LOG_EMAIL

from minimise.discover import discover
from minimise.engine import EngineOptions, analyse_bytes
from minimise.model import ScanError


def test_dotted_and_parent_paths_are_one_file(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text(LOG_EMAIL)
    named = [tmp_path / "a.py", tmp_path / "." / "a.py", tmp_path / "sub" / ".." / "a.py", tmp_path]
    assert [t.display for t in discover(named, tmp_path)] == ["a.py"]


def test_symlink_loops_are_loops_not_outside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "app"
    root.mkdir()
    (root / "good.py").write_text(LOG_EMAIL)
    (root / "self.py").symlink_to(root / "self.py")
    (root / "ping.py").symlink_to(root / "pong.py")
    (root / "pong.py").symlink_to(root / "ping.py")
    # Folder links that loop cannot be listed: they are not folders, and not *.py files either.
    (root / "left").symlink_to(root / "right", target_is_directory=True)
    (root / "right").symlink_to(root / "left", target_is_directory=True)
    (root / "away.py").symlink_to(tmp_path / "elsewhere.py")
    (tmp_path / "elsewhere.py").write_text(LOG_EMAIL)
    problems: list[ScanError] = []
    found = [t.display for t in discover([root], root, follow_symlinks=True, problems=problems)]
    assert found == ["good.py"]
    assert sorted((p.path, p.message) for p in problems) == [
        ("away.py", "symbolic link points outside the scan root; not followed"),
        ("ping.py", "symbolic link loop; not followed"),
        ("pong.py", "symbolic link loop; not followed"),
        ("self.py", "symbolic link loop; not followed"),
    ]


def test_a_loop_named_on_the_command_line(tmp_path: Path) -> None:
    (tmp_path / "self.py").symlink_to(tmp_path / "self.py")
    problems: list[ScanError] = []
    assert list(discover([tmp_path / "self.py"], tmp_path, problems=problems)) == []
    assert [(p.path, p.message) for p in problems] == [("self.py", "symbolic link loop; skipped")]


def test_out_of_memory_in_one_file_is_said_so(monkeypatch) -> None:
    from minimise.analysis import evaluate

    def exhaust(self, module):  # noqa: ANN001, ANN202
        raise MemoryError

    monkeypatch.setattr(evaluate.ModuleAnalyser, "run", exhaust)
    options = EngineOptions()
    result = analyse_bytes(LOG_EMAIL.encode(), "big.py", options, options.knowledge(), None)
    assert result.error == ScanError("big.py", 0, "could not be analysed: out of memory")
