"""`inventory generate --check` and `inventory diff --check-output`: compare with a committed file, never write."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import LEAK, init_repo

MINIMISE = str(Path(sys.executable).parent / "minimise")
PHONE = LEAK + '    log.info("call %s", user.phone)\n'


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR")}
    return subprocess.run([MINIMISE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {"app.py": LEAK})


@pytest.mark.parametrize(
    ("fmt", "shown"),
    [
        ((), ""),
        (("--format", "csv"), "--format csv "),
        (("--format", "json", "--include-tests"), "--format json --include-tests "),
    ],
)
def test_generate_check_missing_current_and_stale(repo: Path, fmt: tuple[str, ...], shown: str) -> None:
    refresh = f"minimise inventory generate {shown}-o out/observed"
    missing = _run(repo, "inventory", "generate", *fmt, "--check", "-o", "out/observed")
    assert missing.returncode == 1
    assert missing.stderr.splitlines() == [
        f"minimise: out/observed does not exist; create it with `{refresh}` and commit it."
    ]
    assert not (repo / "out").exists()
    assert _run(repo, *refresh.split()[1:]).returncode == 0
    written = (repo / "out" / "observed").read_bytes()
    current = _run(repo, "inventory", "generate", *fmt, "--check-output", "-o", "out/observed")
    assert (current.returncode, current.stderr) == (0, "minimise: out/observed is up to date.\n")
    (repo / "app.py").write_text(PHONE, encoding="utf-8")
    stale = _run(repo, "inventory", "generate", *fmt, "--check", "-o", "out/observed")
    assert stale.returncode == 1
    assert stale.stderr.splitlines() == [
        "minimise: out/observed is stale (the code or the inventory changed since it was written); "
        f"refresh it with `{refresh}` and commit it."
    ]
    assert (repo / "out" / "observed").read_bytes() == written


def test_a_declared_inventory_change_makes_it_stale(repo: Path) -> None:
    assert _run(repo, "inventory", "generate", "-o", "observed.yaml").returncode == 0
    (repo / "data-inventory.yaml").write_text(
        "version: 1\nsystem: {name: shop}\ndata:\n  - id: customer_email\n    category: user.contact.email\n"
        "    allow: {collect: true, store: [], log: true, share: []}\n",
        encoding="utf-8",
    )
    stale = _run(repo, "inventory", "generate", "--check", "-o", "observed.yaml")
    assert stale.returncode == 1, stale.stderr
    assert "observed.yaml is stale" in stale.stderr


def test_check_without_a_file_is_a_usage_error(repo: Path) -> None:
    for args in (("generate", "--check"), ("diff", "--base", "HEAD", "--check-output")):
        done = _run(repo, "inventory", *args)
        assert (done.returncode, done.stdout) == (2, "")
        assert done.stderr == "minimise: error: nothing to check: name the committed file with -o FILE\n"


def test_diff_check_output_and_check_together(repo: Path) -> None:
    assert _run(repo, "inventory", "diff", "--base", "HEAD", "-o", "diff.md").returncode == 0
    same = _run(repo, "inventory", "diff", "--base", "HEAD", "--check-output", "-o", "diff.md")
    assert (same.returncode, same.stderr) == (0, "minimise: diff.md is up to date.\n")
    (repo / "app.py").write_text(PHONE, encoding="utf-8")
    before = (repo / "diff.md").read_text(encoding="utf-8")
    stale = _run(repo, "inventory", "diff", "--base", "HEAD", "--check-output", "-o", "diff.md")
    assert stale.returncode == 1
    assert "refresh it with `minimise inventory diff --base HEAD -o diff.md` and commit it." in stale.stderr
    assert (repo / "diff.md").read_text(encoding="utf-8") == before
    # Refreshed, the file is current, but --check still fails while the new phone log needs a decision.
    assert _run(repo, "inventory", "diff", "--base", "HEAD", "-o", "diff.md").returncode == 0
    decided = _run(repo, "inventory", "diff", "--base", "HEAD", "--check-output", "--check", "-o", "diff.md")
    assert decided.returncode == 1 and decided.stderr == "minimise: diff.md is up to date.\n"
    assert _run(repo, "inventory", "diff", "--base", "HEAD", "--check-output", "-o", "diff.md").returncode == 0
