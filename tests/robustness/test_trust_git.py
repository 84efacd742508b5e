"""A scanned repository's git configuration never runs a program: fsmonitor, filters, textconv, diff."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import LEAK, git, init_repo, marker_program

from minimise.cli import cli
from minimise.git import run_git

INVENTORY = """\
version: 1
data:
  - id: email
    label: Email address
    category: user.contact.email
    purposes: [essential.service.notifications]
    lawful_basis: contract
    retention: P2Y
    allow: {collect: true, log: false}
"""


def _plant(repo: Path, tmp_path: Path) -> dict[str, Path]:
    """Every program a repository can configure, each writing its own marker when run."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    markers = {name: tmp_path / f"{name}.ran" for name in ("fsmonitor", "included", "clean", "process", "textconv")}
    markers["external"] = tmp_path / "external.ran"
    markers["pager"] = tmp_path / "pager.ran"
    programs = {name: marker_program(bin_dir, f"{name}.sh", marker) for name, marker in markers.items()}
    included = tmp_path / "included.gitconfig"
    included.write_text(f"[core]\n\tfsmonitor = {programs['included']}\n", encoding="utf-8")
    with (repo / ".git" / "config").open("a", encoding="utf-8") as config:
        config.write(
            f"[core]\n\tfsmonitor = {programs['fsmonitor']}\n\tpager = {programs['pager']}\n"
            f"[include]\n\tpath = {included}\n"
            f'[filter "evil"]\n\tclean = {programs["clean"]}\n\tsmudge = {programs["clean"]}\n\trequired = true\n'
            f'[filter "proc"]\n\tprocess = {programs["process"]}\n'
            f'[diff "evil"]\n\ttextconv = {programs["textconv"]}\n'
            f"[diff]\n\texternal = {programs['external']}\n"
        )
    (repo / ".gitattributes").write_text("*.py filter=evil diff=evil\n*.yaml filter=proc\n", encoding="utf-8")
    return markers


@pytest.fixture
def hostile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, dict[str, Path]]:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK, "data-inventory.yaml": INVENTORY})
    markers = _plant(repo, tmp_path)
    # A change in the working tree, so git has to look at (and would filter) the file.
    (repo / "app.py").write_text(LEAK + "\n\ndef more(user):\n    log.info(user.phone_number)\n", encoding="utf-8")
    (repo / "data-inventory.yaml").write_text(INVENTORY + "# edited\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    monkeypatch.delenv("CI", raising=False)
    return repo, markers


def test_planted_programs_do_run_under_plain_git(hostile: tuple[Path, dict[str, Path]]) -> None:
    """The planting works: plain git runs them, so the absence checks below can fail."""
    repo, markers = hostile
    subprocess.run(["git", "diff", "HEAD"], cwd=repo, capture_output=True, check=False)
    subprocess.run(["git", "diff", "--no-ext-diff", "HEAD"], cwd=repo, capture_output=True, check=False)
    assert markers["fsmonitor"].exists() or markers["included"].exists()
    assert markers["clean"].exists()
    assert markers["external"].exists()
    assert markers["textconv"].exists()


def test_scan_diff_runs_no_repository_program(hostile: tuple[Path, dict[str, Path]]) -> None:
    repo, markers = hostile
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "--no-inventory", "--format", "json", "--diff", "HEAD"])
    assert result.exit_code == 1, result.output
    found = [(f["path"], f["line"], f["code"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [("app.py", 11, "MIN301")]
    assert [name for name, marker in markers.items() if marker.exists()] == []


def test_inventory_diff_runs_no_repository_program(hostile: tuple[Path, dict[str, Path]]) -> None:
    repo, markers = hostile
    git(repo, "checkout", "-q", "-b", "feature")  # checkout with plain git may run filters: forget them
    for marker in markers.values():
        marker.unlink(missing_ok=True)
    result = CliRunner().invoke(cli, ["inventory", "diff", "--base", "main", "--format", "json"])
    assert result.exit_code in (0, 1), result.output
    assert json.loads(result.stdout)["base"] == "main"
    assert [name for name, marker in markers.items() if marker.exists()] == []


def test_wrapper_overrides_reach_the_environment(hostile: tuple[Path, dict[str, Path]]) -> None:
    """A git that git itself starts sees the overrides too (GIT_CONFIG_* is inherited)."""
    repo, markers = hostile
    out = run_git(["config", "--get", "core.fsmonitor"], repo).decode().strip()
    assert out == "false"
    out = run_git(["config", "--get", "filter.evil.clean"], repo).decode()
    assert out.strip() == ""
    assert [name for name, marker in markers.items() if marker.exists()] == []


def test_option_looking_revision_is_not_an_option(hostile: tuple[Path, dict[str, Path]]) -> None:
    repo, _ = hostile
    result = CliRunner().invoke(cli, ["scan", "--no-cache", "--format", "json", "--diff", "--output=x"])
    assert result.exit_code == 2
    assert not (repo / "x").exists()
