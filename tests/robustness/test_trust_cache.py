"""The result cache is never trusted from the scanned tree: planted entries change nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepo import LEAK, git, init_repo

from minimise import cache as cache_module
from minimise.cache import ResultCache, cache_location, project_digest, prune, user_cache_root
from minimise.engine import EngineOptions

SECRET_LINE = "root:$6$planted-shadow-hash:19000:0:99999:7:::"


def scan(repo: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, dict, str]:
    done = subprocess.run(
        [sys.executable, "-m", "minimise", "scan", "--format", "json", "--no-inventory", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        env=env or dict(os.environ),
        timeout=120,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}, done.stderr


def findings(report: dict) -> list[tuple[str, int, str]]:
    return [(f["path"], f["line"], f["code"]) for f in report["findings"]]


@pytest.fixture
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_CACHE_HOME", str(home))
    monkeypatch.delenv("CI", raising=False)
    return home


def _forged_entry(path: str, points: list[object] | None = None, **overrides: object) -> dict[str, object]:
    entry: dict[str, object] = {"v": 2, "path": path, "points": points or [], "error": None}
    entry.update(suppressions=[], summary=None)
    entry.update(overrides)
    return entry


def _plant(directory: Path, repo: Path, name: str, entry: object) -> None:
    """Write ``entry`` under the key this very user's scan would look up (the strongest attacker)."""
    options = EngineOptions()
    cache = ResultCache(directory, options, options.knowledge())
    key = cache.key((repo / name).read_bytes(), name)
    target = directory / key[:2] / f"{key}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(entry if isinstance(entry, str) else json.dumps(entry), encoding="utf-8")


def test_default_cache_is_in_the_user_cache_folder_not_the_tree(tmp_path: Path, xdg: Path) -> None:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    code, report, _ = scan(repo, ".")
    assert code == 1 and findings(report) == [("app.py", 7, "MIN301")]
    assert sorted(p.name for p in repo.iterdir()) == [".git", "app.py"]  # nothing written in the tree
    folder = xdg / "minimise" / project_digest(repo)
    assert folder == cache_location(repo, None, "default")
    assert list(folder.glob("*/*.json")) and (folder / "CACHEDIR.TAG").is_file()
    assert (xdg / "minimise" / "key").stat().st_mode & 0o077 == 0  # the key secret is private


def test_committed_cache_configured_by_the_project_is_ignored(tmp_path: Path, xdg: Path) -> None:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    (repo / "pyproject.toml").write_text('[tool.minimise]\ncache_dir = ".minimise_cache"\n', encoding="utf-8")
    _plant(repo / ".minimise_cache", repo, "app.py", _forged_entry("app.py"))
    git(repo, "add", "-f", "-A")
    git(repo, "commit", "-q", "-m", "cache")
    code, report, stderr = scan(repo, ".")
    assert code == 1 and findings(report) == [("app.py", 7, "MIN301")]
    assert "cache_dir" in stderr and "tracked by git" in stderr
    assert len([line for line in stderr.splitlines() if "tracked by git" in line]) == 1


def test_untracked_project_cache_is_used_but_not_forgeable(
    tmp_path: Path, xdg: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    (repo / "pyproject.toml").write_text('[tool.minimise]\ncache_dir = "build-cache"\n', encoding="utf-8")
    first = scan(repo, ".")
    assert findings(first[1]) == [("app.py", 7, "MIN301")]
    assert list((repo / "build-cache").glob("*/*.json"))
    assert (repo / "build-cache" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    # Whoever does not hold the user's secret computes keys that are never looked up.
    for entry in (repo / "build-cache").glob("*/*.json"):
        entry.unlink()
    with monkeypatch.context() as patched:
        patched.setattr(cache_module, "user_secret", lambda: b"")
        _plant(repo / "build-cache", repo, "app.py", _forged_entry("app.py"))
    assert len(list((repo / "build-cache").glob("*/*.json"))) == 1
    code, report, _ = scan(repo, ".")
    assert code == 1 and findings(report) == [("app.py", 7, "MIN301")]


def test_cache_dir_outside_the_project_from_config_is_refused(tmp_path: Path, xdg: Path) -> None:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    (tmp_path / "docs").mkdir()
    (repo / "pyproject.toml").write_text('[tool.minimise]\ncache_dir = "../docs"\n', encoding="utf-8")
    code, report, stderr = scan(repo, ".")
    assert code == 1 and findings(report) == [("app.py", 7, "MIN301")]
    assert list((tmp_path / "docs").iterdir()) == []  # no .gitignore, no CACHEDIR.TAG outside
    assert "outside the project" in stderr
    elsewhere = tmp_path / "explicit-cache"
    scan(repo, ".", "--cache-dir", str(elsewhere))
    assert list(elsewhere.glob("*/*.json"))


@pytest.mark.parametrize(
    "entry",
    [
        _forged_entry("../../../../etc/shadow", [[1, 1, "log", "user.contact.email", "high", "x", "print"]]),
        _forged_entry("/proc/self/environ"),
        _forged_entry("app.py", [[1, 1, "exfiltrate", "c", "s", "i", "v", "none", "", "", [], []]]),
        _forged_entry("app.py", [[1, 1, "log", "c", "s", "i", "v", "none", "", "", [], []]] * 200_001),
        _forged_entry("app.py", [["1", 1, "log", "c", "s", "i", "v", "none", "", "", [], []]]),
        _forged_entry("app.py", suppressions=[[7, ["MIN301"], "planted"]], extra=1),
        _forged_entry("app.py", [[1, 1, "log", "c", "s", "i", "v", "none", "", "", [], [["/etc/shadow", 1, "x"]]]]),
        _forged_entry("app.py", summary="[" * 100),
        _forged_entry("app.py", summary={"a": json.loads("[" * 500 + "]" * 500)}),
        "[" * 100_000 + "]" * 100_000,
        '{"v": 2, "path": "app.py"',
        "null",
    ],
    ids=[
        "path-escaping",
        "proc",
        "bogus-action",
        "huge",
        "wrong-type",
        "extra-key",
        "step-escaping",
        "summary-type",
        "summary-deep",
        "deep-json",
        "truncated",
        "null",
    ],
)
def test_planted_entries_change_nothing(tmp_path: Path, xdg: Path, entry: object) -> None:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    _plant(user_cache_root() / project_digest(repo), repo, "app.py", entry)
    code, report, stderr = scan(repo, ".")
    assert "Traceback" not in stderr
    assert code == 1 and findings(report) == [("app.py", 7, "MIN301")]
    assert report["errors"] == []
    assert "planted-shadow" not in json.dumps(report)


def test_valid_entry_is_reused(tmp_path: Path, xdg: Path) -> None:
    """The planted-entry test can fail: a well-formed entry under the right key is believed."""
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    _plant(user_cache_root() / project_digest(repo), repo, "app.py", _forged_entry("app.py"))
    code, report, _ = scan(repo, ".")
    assert code == 0 and findings(report) == []


def test_key_covers_the_analyser_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = EngineOptions()
    knowledge = options.knowledge()
    before = ResultCache(tmp_path, options, knowledge).key(b"x = 1\n", "a.py")
    monkeypatch.setattr(cache_module, "_ANALYSER_DIGEST", "0" * 64)
    after = ResultCache(tmp_path, options, knowledge).key(b"x = 1\n", "a.py")
    assert before != after
    monkeypatch.setattr(cache_module, "_ANALYSER_DIGEST", None)
    assert cache_module.analyser_digest() == cache_module.analyser_digest() != "0" * 64


def test_entries_hold_no_source_text(tmp_path: Path, xdg: Path) -> None:
    body = (
        "import logging\nlog = logging.getLogger(__name__)\n\n"
        "def f(user):\n"
        '    log.info("contact alice@example.org ssn 078-05-1120 card 4111 1111 1111 1111 %s", user.email)\n'
        "    # minimise: ignore[MIN301] reason bob@example.org\n"
        '    log.info("iban GB82WEST12345698765432 %s", user.email)\n'
    )
    repo = init_repo(tmp_path / "repo", {"app.py": body})
    scan(repo, ".")
    stored = "".join(p.read_text(encoding="utf-8") for p in (xdg / "minimise").rglob("*.json"))
    assert stored
    for literal in ("alice@example.org", "078-05-1120", "4111 1111 1111 1111", "GB82WEST12345698765432", "bob@"):
        assert literal not in stored
    assert "log.info" not in stored  # no source line, masked or not


def test_prune_by_age_and_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "c"
    (folder / "ab").mkdir(parents=True)
    old, new = folder / "ab" / "old.json", folder / "ab" / "new.json"
    old.write_text("{}")
    new.write_text("{}")
    os.utime(old, (1_000_000, 1_000_000))
    assert prune(folder, now=1_000_000 + 31 * 24 * 3600) == 1
    assert not old.exists() and new.exists()
    assert prune(folder) == 0  # at most once a day
    monkeypatch.setattr(cache_module, "MAX_CACHE_BYTES", 1)
    assert prune(folder, force=True) == 1 and not new.exists()


def test_flake8_ignores_a_committed_cache_too(tmp_path: Path, xdg: Path) -> None:
    repo = init_repo(tmp_path / "repo", {"app.py": LEAK})
    (repo / "pyproject.toml").write_text('[tool.minimise]\ncache_dir = ".minimise_cache"\n', encoding="utf-8")
    _plant(repo / ".minimise_cache", repo, "app.py", _forged_entry("app.py"))
    git(repo, "add", "-f", "-A")
    git(repo, "commit", "-q", "-m", "cache")
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select=MIN", "app.py"],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.splitlines() == [
        "app.py:7:32: MIN301 Email address (user.contact.email) logged via logging: `email`"
    ]
