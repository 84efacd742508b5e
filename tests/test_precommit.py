"""The pre-commit hooks, run by the real `pre-commit` in real git repositories.

docs/snippets/pre-commit-config.yaml and pre-commit-inventory.yaml (the README's and the
workflow guide's `repo: local` snippets) run verbatim with the installed `minimise` on PATH.
The hooks this repository offers (.pre-commit-hooks.yaml) run from a committed copy of this
checkout, as `repo:` in a configuration and with `pre-commit try-repo`. Building those hooks'
environment needs PyPI; the runs share one PRE_COMMIT_HOME so it is built once.
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
INVENTORY_SNIPPET = ROOT / "docs" / "snippets" / "pre-commit-inventory.yaml"
BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(Path(sys.executable).parent)) or shutil.which("pre-commit")

pytestmark = [pytest.mark.slow, pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed")]

LEAKY = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)
FIXED = LEAKY.replace("user.email", "user.id")
SUPPRESSED = LEAKY.replace("user.email)", "user.email)  # minimise: ignore[MIN301] audit log, retention 30 days")
FINDING = re.compile(r"^f\.py:7:32: MIN301 .*\(user\.contact\.email\) logged via logging: `email`$", re.M)
HINT = (
    "minimise: `minimise explain CODE` describes a rule; silence one line with "
    "`# minimise: ignore[CODE] reason` (or flake8's `# noqa: CODE`)."
)
OBSERVED = "privacy/observed-inventory.yaml"


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
    # The installed minimise on PATH, as in the virtualenv (or pipx) the `repo: local` snippets expect.
    path = os.pathsep.join([str(BIN), os.environ.get("PATH", "")])
    env = {**os.environ, "PATH": path, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    env.pop("CI", None)
    assert PRE_COMMIT is not None
    return subprocess.run([PRE_COMMIT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def _snippet_config(work: Path, snippet: Path = SNIPPET) -> Path:
    """A docs/snippets/ configuration, verbatim, as the project's .pre-commit-config.yaml."""
    config = work / ".pre-commit-config.yaml"
    shutil.copyfile(snippet, config)
    return config


def _hooks_config(work: Path, repo: Path, rev: str, hooks: list[dict[str, object]]) -> Path:
    """A configuration that installs this repository's hooks from the committed copy at ``rev``."""
    config = work / ".pre-commit-config.yaml"
    config.write_text(yaml.safe_dump({"repos": [{"repo": str(repo), "rev": rev, "hooks": hooks}]}), encoding="utf-8")
    return config


def test_hooks_file_declares_the_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    assert sorted(hooks) == ["minimise", "minimise-inventory", "minimise-inventory-diff"]
    assert hooks["minimise"]["entry"] == "minimise scan --"  # file names are never options
    assert hooks["minimise"]["language"] == "python"
    assert hooks["minimise"]["types"] == ["python"]
    assert all(hook["require_serial"] is True for hook in hooks.values())  # one process; it parallelises itself
    assert hooks["minimise"].get("pass_filenames", True) is True
    assert hooks["minimise-inventory"]["entry"] == "minimise inventory generate --check"
    assert hooks["minimise-inventory-diff"]["entry"] == "minimise inventory diff --check-output"
    for hook_id in ("minimise-inventory", "minimise-inventory-diff"):
        assert hooks[hook_id]["pass_filenames"] is False
        files = re.compile(hooks[hook_id]["files"])
        assert [bool(files.search(name)) for name in ("a/b.py", "data-inventory.yaml", "README.md")] == [
            True,
            True,
            False,
        ]


def test_snippets_are_the_documented_blocks() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    workflow = (ROOT / "docs" / "workflow.md").read_text(encoding="utf-8")
    snippet = SNIPPET.read_text(encoding="utf-8")
    assert f"```yaml\n{snippet}```" in readme
    assert f"```yaml\n{snippet}```" in workflow
    assert f"```yaml\n{INVENTORY_SNIPPET.read_text(encoding='utf-8')}```" in workflow


def test_snippet_hook_fails_then_passes_when_fixed_or_suppressed(tmp_path: Path) -> None:
    work = _project(tmp_path, LEAKY)
    config = _snippet_config(work)

    failed = _pre_commit(work, tmp_path / "home", "run", "-c", str(config), "minimise", "--files", "f.py")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert FINDING.search(failed.stdout), failed.stdout
    # How to read the rule's documentation and how to silence the line, in the hook's own output.
    assert failed.stdout.rstrip().splitlines()[-1] == HINT

    (work / "f.py").write_text(FIXED, encoding="utf-8")
    fixed = _pre_commit(work, tmp_path / "home", "run", "-c", str(config), "minimise", "--files", "f.py")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert "MIN301" not in fixed.stdout

    (work / "f.py").write_text(SUPPRESSED, encoding="utf-8")
    suppressed = _pre_commit(work, tmp_path / "home", "run", "-c", str(config), "minimise", "--files", "f.py")
    assert suppressed.returncode == 0, suppressed.stdout + suppressed.stderr
    assert "MIN301" not in suppressed.stdout


def test_inventory_snippet_fails_while_the_committed_inventory_is_stale(tmp_path: Path) -> None:
    work = _project(tmp_path, LEAKY)
    config = _snippet_config(work, INVENTORY_SNIPPET)
    home = tmp_path / "home"
    refresh = f"minimise inventory generate -o {OBSERVED}"

    missing = _pre_commit(work, home, "run", "-c", str(config), "minimise-inventory", "--all-files")
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert f"minimise: {OBSERVED} does not exist; create it with `{refresh}` and commit it." in missing.stdout
    assert not (work / OBSERVED).exists()  # a check writes nothing

    made = subprocess.run([str(BIN / "minimise"), *refresh.split()[1:]], cwd=work, capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    observed = (work / OBSERVED).read_text(encoding="utf-8")
    assert "category: user.contact.email" in observed
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "observed inventory")
    current = _pre_commit(work, home, "run", "-c", str(config), "minimise-inventory", "--all-files")
    assert current.returncode == 0, current.stdout + current.stderr

    (work / "f.py").write_text(LEAKY + '    log.info("call %s", user.phone)\n', encoding="utf-8")
    stale = _pre_commit(work, home, "run", "-c", str(config), "minimise-inventory", "--all-files")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert (
        f"minimise: {OBSERVED} is stale (the code or the inventory changed since it was written); "
        f"refresh it with `{refresh}` and commit it."
    ) in stale.stdout
    assert (work / OBSERVED).read_text(encoding="utf-8") == observed

    # Only Python files and the inventory concern it: a README change alone does not run it.
    (work / "f.py").write_text(LEAKY, encoding="utf-8")
    (work / "README.md").write_text("notes\n", encoding="utf-8")
    skipped = _pre_commit(work, home, "run", "-c", str(config), "minimise-inventory", "--files", "README.md")
    assert skipped.returncode == 0 and "(no files to check)" in skipped.stdout, skipped.stdout


def test_inventory_hooks_of_this_repository(hook_repo: tuple[Path, str, Path], tmp_path: Path) -> None:
    """minimise-inventory and minimise-inventory-diff from .pre-commit-hooks.yaml, installed by pre-commit."""
    repo, rev, home = hook_repo
    work = _project(tmp_path, LEAKY)
    hooks: list[dict[str, object]] = [
        {"id": "minimise-inventory", "args": ["-o", "observed.yaml"]},
        {"id": "minimise-inventory-diff", "args": ["--base", "HEAD", "-o", "inventory-diff.md"]},
    ]
    config = _hooks_config(work, repo, rev, hooks)
    missing = _pre_commit(work, home, "run", "-c", str(config), "--all-files")
    assert missing.returncode == 1, missing.stdout + missing.stderr
    assert "create it with `minimise inventory generate -o observed.yaml`" in missing.stdout
    assert "create it with `minimise inventory diff --base HEAD -o inventory-diff.md`" in missing.stdout

    for command in ("generate -o observed.yaml", "diff --base HEAD -o inventory-diff.md"):
        done = subprocess.run([str(BIN / "minimise"), "inventory", *command.split()], cwd=work, capture_output=True)
        assert done.returncode == 0, done.stderr
    current = _pre_commit(work, home, "run", "-c", str(config), "--all-files")
    assert current.returncode == 0, current.stdout + current.stderr

    (work / "f.py").write_text(FIXED, encoding="utf-8")  # the email is no longer logged
    stale = _pre_commit(work, home, "run", "-c", str(config), "--all-files")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "observed.yaml is stale" in stale.stdout and "inventory-diff.md is stale" in stale.stdout
    assert "refresh it with `minimise inventory diff --base HEAD -o inventory-diff.md`" in stale.stdout


def test_a_hook_without_its_file_fails_with_one_line(hook_repo: tuple[Path, str, Path], tmp_path: Path) -> None:
    """The inventory hook given no -o cannot check anything: it fails (never passes silently)."""
    repo, rev, home = hook_repo
    work = _project(tmp_path, LEAKY)
    config = _hooks_config(work, repo, rev, [{"id": "minimise-inventory"}])
    done = _pre_commit(work, home, "run", "-c", str(config), "--all-files")
    assert done.returncode == 1, done.stdout + done.stderr  # pre-commit reports any failing hook as 1
    assert "minimise: error: nothing to check: name the committed file with -o FILE" in done.stdout
    assert "- exit code: 2" in done.stdout


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
    config = _hooks_config(work, repo, rev, [{"id": "minimise"}])
    result = _pre_commit(work, home, "run", "-c", str(config), "minimise", "--all-files")
    assert result.returncode == 1, result.stdout + result.stderr
    assert FINDING.search(result.stdout), result.stdout
    assert (work / "setup.py").read_text(encoding="utf-8") == "from setuptools import setup\n\nsetup()\n"
