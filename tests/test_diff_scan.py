"""`minimise scan --diff REF`: only findings on lines changed since REF, with real git."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import git

from minimise.cli import cli
from minimise.gitdiff import parse_diff

HEAD = "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
OLD = HEAD + 'def signup(user):\n    log.info("signup %s", user.email)\n'


@pytest.fixture()
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CI", raising=False)
    git(tmp_path, "init", "-q")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "old.py").write_text(OLD, encoding="utf-8")
    (tmp_path / "pkg" / "untouched.py").write_text(OLD, encoding="utf-8")
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-q", "-m", "base")
    return tmp_path


def scan(*args: str) -> tuple[int, list[tuple[str, int]], str]:
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "--format", "json", *args])
    if result.exit_code == 2:
        return 2, [], result.stderr
    data = json.loads(result.stdout)
    return result.exit_code, [(f["path"], f["line"]) for f in data["findings"]], result.stderr


def test_only_changed_lines_and_untracked_files(repo: Path) -> None:
    assert scan("--diff", "HEAD") == (0, [], "")
    # Add a leak below the old one, modify nothing else; add an untracked and a staged new file.
    (repo / "pkg" / "old.py").write_text(OLD + '    log.info("phone %s", user.phone_number)\n', encoding="utf-8")
    (repo / "pkg" / "new.py").write_text(OLD, encoding="utf-8")
    (repo / "staged.py").write_text(OLD, encoding="utf-8")
    git(repo, "add", "staged.py")
    code, found, _ = scan("--diff", "HEAD")
    assert (code, found) == (1, [("pkg/new.py", 7), ("pkg/old.py", 8), ("staged.py", 7)])
    # Full scan for comparison: the untouched file and the old leak are reported too.
    code, found, _ = scan()
    assert found == [("pkg/new.py", 7), ("pkg/old.py", 7), ("pkg/old.py", 8), ("pkg/untouched.py", 7), ("staged.py", 7)]
    # Paths still limit the scan; JSON paths stay relative to the project root (the git top level).
    assert scan("--diff", "HEAD", "pkg")[1] == [("pkg/new.py", 7), ("pkg/old.py", 8)]


def test_committed_changes_since_an_older_revision(repo: Path) -> None:
    base = git(repo, "rev-parse", "HEAD").strip()
    (repo / "pkg" / "old.py").write_text(OLD.replace("user.email", "user.email, user.date_of_birth"), encoding="utf-8")
    git(repo, "commit", "-q", "-am", "change")
    code, found, _ = scan("--diff", base)
    assert code == 1 and found and {line for _, line in found} == {7}
    assert {path for path, _ in found} == {"pkg/old.py"}
    assert scan("--diff", "HEAD") == (0, [], "")


def test_deleted_and_ignored_files(repo: Path) -> None:
    (repo / ".gitignore").write_text("build_out/\n", encoding="utf-8")
    (repo / "build_out").mkdir()
    (repo / "build_out" / "gen.py").write_text(OLD, encoding="utf-8")
    git(repo, "rm", "-q", "pkg/untouched.py")
    code, found, _ = scan("--diff", "HEAD")
    assert (code, found) == (0, [])


def test_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    code, _, err = scan("--diff", "no-such-ref")
    assert code == 2 and "unknown git revision 'no-such-ref'" in err
    outside = tmp_path_factory.mktemp("nogit")
    os.chdir(outside)
    (outside / "a.py").write_text(OLD, encoding="utf-8")
    code, _, err = scan("--diff", "HEAD", str(outside))
    assert code == 2 and "--diff HEAD:" in err


def test_parse_diff() -> None:
    text = (
        "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -3 +3,2 @@\n-x\n+y\n+z\n@@ -10,2 +11,0 @@\n-q\n"
        "diff --git a/gone.py b/gone.py\n--- a/gone.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x\n"
        'diff --git "a/t\\tb.py" "b/t\\tb.py"\n--- "a/t\\tb.py"\n+++ "b/t\\tb.py"\n@@ -0,0 +1 @@\n+x\n'
        "diff --git a/\xe9.py b/\xe9.py\n--- a/\xe9.py\n+++ b/\xe9.py\n@@ -5 +5 @@\n-a\n+b\n"
    )
    assert parse_diff(text) == {"a.py": {3, 4}, "t\tb.py": {1}, "\xe9.py": {5}}
