"""The pre-commit hook, run by the real `pre-commit` against a committed copy of this checkout.

Uses docs/snippets/pre-commit-config.yaml (the README's snippet) with its repository URL and
rev pointed at the copy, and `pre-commit try-repo`. Building the hook's environment needs
PyPI; both runs share one PRE_COMMIT_HOME so it is built once per repository spelling.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from gitrepo import git as _git

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = ROOT / "docs" / "snippets" / "pre-commit-config.yaml"
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")]

LEAKY = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)
FIXED = LEAKY.replace("user.email", "user.id")
SUPPRESSED = LEAKY.replace("user.email)", "user.email)  # minimise: ignore[MIN301] audit log, retention 30 days")
FINDING = re.compile(r"^f\.py:7:32: MIN301 .*\(user\.contact\.email\) logged via logging: `email`$", re.M)


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """A committed copy of this checkout (with uncommitted work), its HEAD and a PRE_COMMIT_HOME."""
    base = tmp_path_factory.mktemp("precommit")
    copy = base / "minimise"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(
            ".git",
            ".venv",
            "venv",
            "__pycache__",
            ".minimise_cache",
            ".pytest_cache",
            ".ruff_cache",
            ".mypy_cache",
            "*.egg-info",
            ".hypothesis",
        ),
    )
    _git(copy, "init", "-q")
    _git(copy, "add", "-A")
    _git(copy, "commit", "-q", "-m", "snapshot")
    return copy, _git(copy, "rev-parse", "HEAD").strip(), base / "home"


def _project(tmp_path: Path, text: str) -> Path:
    work = tmp_path / "project"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "f.py").write_text(text, encoding="utf-8")
    _git(work, "add", "f.py")
    _git(work, "commit", "-q", "-m", "code")
    return work


def _pre_commit(cwd: Path, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("CI", None)
    assert PRE_COMMIT is not None
    return subprocess.run([PRE_COMMIT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _snippet_config(work: Path, repo: Path, rev: str) -> Path:
    """docs/snippets/pre-commit-config.yaml with repo and rev pointed at the local copy."""
    text = SNIPPET.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    (entry,) = data["repos"]
    assert [h["id"] for h in entry["hooks"]] == ["minimise"]
    text = text.replace(entry["repo"], str(repo)).replace(f"rev: {entry['rev']}", f"rev: {rev}")
    config = work / ".pre-commit-config.yaml"
    config.write_text(text, encoding="utf-8")
    return config


def test_hooks_file_declares_both_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert hooks["minimise"]["entry"] == "minimise scan --"  # file names are never options
    assert hooks["minimise"]["language"] == "python"
    assert hooks["minimise"]["types"] == ["python"]
    assert hooks["minimise"]["require_serial"] is True  # one process; it parallelises itself
    assert hooks["minimise"].get("pass_filenames", True) is True
    assert hooks["minimise-inventory"]["entry"] == "minimise inventory generate"
    assert hooks["minimise-inventory"]["pass_filenames"] is False


def test_snippet_hook_fails_then_passes_when_fixed_or_suppressed(
    hook_repo: tuple[Path, str, Path], tmp_path: Path
) -> None:
    repo, rev, home = hook_repo
    work = _project(tmp_path, LEAKY)
    config = _snippet_config(work, repo, rev)

    failed = _pre_commit(work, home, "run", "-c", str(config), "minimise", "--files", "f.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert FINDING.search(failed.stdout), failed.stdout

    (work / "f.py").write_text(FIXED, encoding="utf-8")
    fixed = _pre_commit(work, home, "run", "-c", str(config), "minimise", "--files", "f.py")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "MIN301" not in fixed.stdout

    (work / "f.py").write_text(SUPPRESSED, encoding="utf-8")
    suppressed = _pre_commit(work, home, "run", "-c", str(config), "minimise", "--files", "f.py")
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr
    assert "MIN301" not in suppressed.stdout


def test_try_repo_reports_the_finding(hook_repo: tuple[Path, str, Path], tmp_path: Path) -> None:
    repo, _rev, home = hook_repo
    work = _project(tmp_path, LEAKY)
    failed = _pre_commit(work, home, "try-repo", str(repo), "minimise", "--files", "f.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert FINDING.search(failed.stdout), failed.stdout
    (work / "f.py").write_text(FIXED, encoding="utf-8")
    fixed = _pre_commit(work, home, "try-repo", str(repo), "minimise", "--files", "f.py")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr


def test_hostile_staged_file_names_are_paths(hook_repo: tuple[Path, str, Path], tmp_path: Path) -> None:
    """A staged `--select=...py` neither turns the gate off nor `--output=...py` overwrites a file."""
    repo, rev, home = hook_repo
    work = _project(tmp_path, LEAKY)
    (work / "setup.py").write_text("from setuptools import setup\n\nsetup()\n", encoding="utf-8")
    (work / "--select=MIN9.py").write_text("x = 1\n", encoding="utf-8")
    (work / "--output=setup.py").write_text("y = 2\n", encoding="utf-8")
    _git(work, "add", "--", "setup.py", "--select=MIN9.py", "--output=setup.py")
    config = _snippet_config(work, repo, rev)
    result = _pre_commit(work, home, "run", "-c", str(config), "minimise", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert FINDING.search(result.stdout), result.stdout
    assert (work / "setup.py").read_text(encoding="utf-8") == "from setuptools import setup\n\nsetup()\n"
