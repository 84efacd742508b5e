"""Hostile configuration and inputs: bounded reads, confined paths, linear regexes, safe writes, exit codes."""

from __future__ import annotations

import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from conftest import assert_clean_stderr
from gitrepo import LEAK, git, init_repo

from minimise.atomic import atomic_write, write_output
from minimise.config import load_config
from minimise.git import iter_blobs
from minimise.inventory.patterns import compile_pattern, pattern_matches

SECRET = "root:$6$planted-shadow-hash:19000:0:99999:7:::"


def run(cwd: Path, *args: str, timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "minimise", *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", {"app.py": LEAK})


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "outside" / "shadow"
    path.parent.mkdir()
    path.write_text(SECRET + "\n", encoding="utf-8")
    return path


# ----------------------------------------------------------------------- regexes
@pytest.mark.parametrize(
    "pattern",
    [
        "a*a*a*a*a*a*a*a*b",
        "[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*[a-z]*@",
        "x?x?x?x?x?x?x?x?x?x?x?x?x?x?xxxxxxxxxxxxxx",
        "(?:ab)?a*a*a*c",
    ],
)
def test_catastrophic_regex_shapes_match_in_linear_time(pattern: str) -> None:
    compiled = compile_pattern(pattern)
    started = time.monotonic()
    for name in ("a" * 60 + "!", "a" * 199, "x" * 150 + "y", "ab" * 99):
        assert not pattern_matches(compiled, name)
    assert time.monotonic() - started < 1.0
    assert pattern_matches(compile_pattern("a*a*a*a*b"), "aaab")


def test_slow_pattern_in_an_auto_discovered_inventory_does_not_hang_a_scan(repo: Path) -> None:
    pattern = "a*" * 53 + "b?"  # 108 characters, accepted by the syntax check
    assert len(pattern) == 108
    (repo / "data-inventory.yaml").write_text(
        f"version: 1\ndata:\n  - id: email\n    category: user.contact.email\n    match: {{patterns: ['{pattern}']}}\n",
        encoding="utf-8",
    )
    (repo / "names.py").write_text(f"import logging\nlogging.info(user.{'a' * 60}x)\n", encoding="utf-8")
    started = time.monotonic()
    done = run(repo, "scan", ".", "--no-cache", "--format", "json")
    assert time.monotonic() - started < 30
    assert done.returncode == 1, done.stderr


# ----------------------------------------------------------------------- configuration
@pytest.mark.parametrize(
    "toml, message",
    [
        ("[tool.minimise]\njobs = " + "[" * 100_000 + "]" * 100_000 + "\n", "nested more than 200 levels deep"),
        ("[tool.minimise]\njobs = " + "9" * 5000 + "\n", "number longer than 400 digits"),
        ("[tool.minimise]\n" + "x = 1\n" * 300_000, "larger than 1 MiB"),
    ],
    ids=["deep", "long-integer", "huge"],
)
def test_hostile_toml_is_one_line(repo: Path, toml: str, message: str) -> None:
    (repo / "pyproject.toml").write_text(toml, encoding="utf-8")
    done = run(repo, "scan", ".", "--no-cache")
    assert done.returncode == 2
    assert_clean_stderr(done.stderr)
    assert message in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("key", ["inventory", "baseline", "rules"])
def test_config_cannot_point_outside_the_project(repo: Path, secret: Path, key: str) -> None:
    value = f"['{secret}']" if key == "rules" else f"'{secret}'"
    (repo / "pyproject.toml").write_text(f"[tool.minimise]\n{key} = {value}\n", encoding="utf-8")
    done = run(repo, "scan", ".", "--no-cache")
    assert done.returncode == 2
    assert f"pyproject.toml:2: {key}" in done.stderr and "outside the project" in done.stderr
    assert "planted-shadow" not in done.stdout + done.stderr


def test_relative_escape_and_symlink_escape_are_refused(repo: Path, secret: Path) -> None:
    (repo / "inv.yaml").symlink_to(secret)
    (repo / "pyproject.toml").write_text("[tool.minimise]\ninventory = 'inv.yaml'\n", encoding="utf-8")
    done = run(repo, "scan", ".", "--no-cache")
    assert done.returncode == 2 and "outside the project" in done.stderr
    (repo / "pyproject.toml").write_text("[tool.minimise]\nbaseline = '../outside/shadow'\n", encoding="utf-8")
    done = run(repo, "scan", ".", "--no-cache")
    assert done.returncode == 2 and "outside the project" in done.stderr
    assert "planted-shadow" not in done.stderr


def test_committed_inventory_symlinked_to_a_secret_is_never_printed(repo: Path, secret: Path) -> None:
    (repo / "data-inventory.yaml").symlink_to(secret)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "link")
    for args in (["scan", ".", "--no-cache"], ["inventory", "generate", "."], ["scan", ".", "--format", "html"]):
        done = run(repo, *args)
        assert "planted-shadow" not in done.stdout + done.stderr
        assert "Traceback" not in done.stderr


def test_inventory_named_on_the_command_line_may_be_anywhere_but_is_not_echoed(repo: Path, secret: Path) -> None:
    done = run(repo, "scan", ".", "--no-cache", "--inventory", str(secret))
    assert done.returncode == 2
    assert "planted-shadow" not in done.stdout + done.stderr


def test_jobs_capped_at_the_cpu_count(repo: Path) -> None:
    (repo / "pyproject.toml").write_text("[tool.minimise]\njobs = 100000\n", encoding="utf-8")
    assert load_config(repo)["jobs"] == (os.cpu_count() or 1)


@pytest.mark.parametrize("option", ["--baseline", "--rules", "--inventory"])
def test_device_and_fifo_inputs_are_refused_fast(repo: Path, tmp_path: Path, option: str) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    for target in ("/dev/zero", str(fifo)):
        started = time.monotonic()
        done = run(repo, "scan", ".", "--no-cache", option, target, timeout=30)
        assert time.monotonic() - started < 20
        assert done.returncode == 2, done.stderr
        assert_clean_stderr(done.stderr)
        assert "not a regular file" in done.stderr


@pytest.mark.parametrize(
    "body, message",
    [
        ('{"schema": "minimise-baseline/1", "findings": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested more than"),
        ('{"schema": "minimise-baseline/1", "findings": [{"line": ' + "7" * 5000 + "}]}", "number longer than"),
    ],
    ids=["deep", "long-integer"],
)
def test_hostile_baseline_is_one_line(repo: Path, body: str, message: str) -> None:
    (repo / "base.json").write_text(body, encoding="utf-8")
    done = run(repo, "scan", ".", "--no-cache", "--baseline", "base.json")
    assert done.returncode == 2
    assert_clean_stderr(done.stderr)
    assert message in done.stderr and "base.json:1" in done.stderr


def test_rule_file_with_a_huge_integer_is_one_line(repo: Path) -> None:
    (repo / "rules.yaml").write_text("version: 1\ncategories:\n  x: " + "1" * 100_000 + "\n", encoding="utf-8")
    done = run(repo, "scan", ".", "--no-cache", "--rules", "rules.yaml")
    assert done.returncode == 2
    assert_clean_stderr(done.stderr)
    assert "rules.yaml:3: the file has a number longer than 400 digits" in done.stderr


# ----------------------------------------------------------------------- -o
def test_output_onto_a_fifo_is_written_in_place(repo: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = run(repo, "scan", ".", "--no-cache", "--format", "json", "-o", str(fifo))
    reader.join(10)
    assert done.returncode == 1, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert b'"MIN301"' in received[0]


def test_output_onto_devices_and_stdout_links_is_never_replaced(repo: Path, tmp_path: Path) -> None:
    done = run(repo, "scan", ".", "--no-cache", "-o", os.devnull)
    assert done.returncode == 1 and stat.S_ISCHR(os.stat(os.devnull).st_mode)
    link = tmp_path / "stdout-link"
    link.symlink_to("/proc/self/fd/1")
    done = run(repo, "scan", ".", "--no-cache", "--format", "json", "-o", str(link))
    assert done.returncode == 1 and link.is_symlink() and '"MIN301"' in done.stdout
    done = run(repo, "scan", ".", "--no-cache", "--format", "json", "-o", "/dev/stdout")
    assert '"MIN301"' in done.stdout


def test_output_through_a_symlink_to_a_file_keeps_the_link(repo: Path, tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    done = run(repo, "scan", ".", "--no-cache", "--format", "json", "-o", str(link))
    assert done.returncode == 1 and link.is_symlink() and '"MIN301"' in real.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "command", [["scan", "."], ["inventory", "generate", "."], ["inventory", "diff", "--base", "main"]]
)
def test_output_onto_a_folder_is_one_line(repo: Path, command: list[str]) -> None:
    (repo / "folder").mkdir()
    done = run(repo, *command, "-o", "folder")
    assert done.returncode == 2
    assert_clean_stderr(done.stderr)
    assert "cannot write folder" in done.stderr and (repo / "folder").is_dir()


def test_block_devices_and_sockets_are_refused(tmp_path: Path) -> None:
    import socket

    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    try:
        with pytest.raises(OSError):
            write_output(path, "x")
    finally:
        server.close()
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_temporary_removed_on_sigterm_during_the_write(tmp_path: Path) -> None:
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from minimise import atomic\n"
        "real = os.replace\n"
        "def killed(*a):\n"
        "    os.kill(os.getpid(), signal.SIGTERM)\n"
        "os.replace = killed\n"
        f"atomic.atomic_write(Path({str(tmp_path / 'report.json')!r}), 'x' * 5_000_000)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == -signal.SIGTERM
    assert list(tmp_path.iterdir()) == []


def test_temporary_of_a_killed_writer_is_swept_by_the_next_write(tmp_path: Path) -> None:
    victim = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    stale = tmp_path / f".report.json.minimise-{victim.pid}.abc123.tmp"
    stale.write_text("half a report", encoding="utf-8")
    mine = tmp_path / f".other.json.minimise-{victim.pid}.abc123.tmp"
    mine.write_text("not ours to touch", encoding="utf-8")
    atomic_write(tmp_path / "report.json", "one")
    assert stale.exists()  # its writer still runs
    victim.kill()
    victim.wait()
    atomic_write(tmp_path / "report.json", "two")
    assert not stale.exists() and mine.exists()
    assert (tmp_path / "report.json").read_text(encoding="utf-8") == "two"


# ----------------------------------------------------------------------- exit codes
@pytest.mark.parametrize("exception", ["MemoryError()", "RuntimeError('boom\\nsecond line alice@example.org')"])
def test_internal_error_is_exit_3_one_line_and_debug_shows_the_traceback(repo: Path, exception: str) -> None:
    script = (
        "import sys\n"
        "import minimise.commands.scan_cmd as scan_cmd\n"
        "from minimise.cli import main\n"
        f"def boom(*a, **k):\n    raise {exception}\n"
        "scan_cmd.run = boom\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, "scan", "."], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 3
    assert len(done.stderr.splitlines()) == 1 and "--debug" in done.stderr
    assert done.stderr.startswith("minimise: internal error: ")
    if exception == "MemoryError()":
        assert done.stderr.startswith("minimise: internal error: out of memory; lower --jobs")
    assert "alice@" not in done.stderr
    debug = subprocess.run(
        [sys.executable, "-c", script, "scan", ".", "--debug"], cwd=repo, capture_output=True, text=True, timeout=60
    )
    assert debug.returncode == 1 and "Traceback" in debug.stderr


# ----------------------------------------------------------------------- walking
def test_unreadable_folder_as_a_non_root_user(tmp_path: Path) -> None:
    if shutil.which("setpriv") is None and os.geteuid() == 0:
        pytest.skip("needs setpriv to drop root")
    top = Path(tempfile.mkdtemp(prefix="minimise-perm-"))
    try:
        top.chmod(0o755)
        (top / "locked" / "inner").mkdir(parents=True)
        (top / "locked" / "inner" / "x.py").write_text(LEAK, encoding="utf-8")
        (top / "app.py").write_text(LEAK, encoding="utf-8")
        (top / "locked").chmod(0)
        command = [sys.executable, "-m", "minimise", "scan", ".", "--no-cache", "--no-inventory"]
        if os.geteuid() == 0:
            command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
        done = subprocess.run(command, cwd=top, capture_output=True, text=True, timeout=60)
        assert done.returncode == 1, done.stderr
        assert_clean_stderr(done.stderr)
        assert "locked: error: cannot read folder: Permission denied" in done.stdout
        assert "app.py:7:" in done.stdout
    finally:
        (top / "locked").chmod(0o755)
        shutil.rmtree(top)


def test_paths_normalised_once(repo: Path) -> None:
    (repo / "sub").mkdir()
    done = run(repo, "scan", "--no-cache", "--no-inventory", ".", "./app.py", "sub/../app.py", "./sub/../app.py")
    assert done.returncode == 1
    assert done.stdout.count("MIN301") == 1 and "in 1 file;" in done.stdout


# ----------------------------------------------------------------------- inventory diff
def test_blobs_are_streamed_and_big_ones_skipped(repo: Path) -> None:
    (repo / "big.py").write_bytes(b"x = 1\n" * 400_000)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "big")
    shas = [git(repo, "rev-parse", f"HEAD:{name}").strip() for name in ("big.py", "app.py")]
    got = list(iter_blobs(repo, shas, max_size=1024 * 1024))
    assert got == [(shas[0], None), (shas[1], LEAK.encode())]


def test_base_commit_with_a_name_too_long_for_the_file_system(repo: Path) -> None:
    sha = subprocess.run(
        ["git", "hash-object", "-w", "--stdin"], cwd=repo, input=LEAK, capture_output=True, text=True, check=True
    ).stdout.strip()
    long_name = "d" * 256 + ".py"
    git(repo, "update-index", "--add", "--cacheinfo", f"100644,{sha},pkg/{long_name}")
    git(repo, "commit", "-q", "-m", "long name")
    done = run(repo, "inventory", "diff", "--base", "HEAD", "--format", "json")
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
