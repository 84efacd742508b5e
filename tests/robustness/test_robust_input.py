"""Encodings, file systems, user-written rules, internal errors, leaks and concurrency."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import LOG_EMAIL, assert_clean_stderr

from minimise.atomic import atomic_write
from minimise.cache import ResultCache
from minimise.engine import EngineOptions, analyse_bytes
from minimise.model import FileResult

HEAD = "import logging\nlogger = logging.getLogger(__name__)\n"


# ------------------------------------------------------------------ encodings
def _body(newline: str = "\n", indent: str = "    ") -> str:
    return newline.join(
        [
            "import logging",
            "logger = logging.getLogger(__name__)",
            "GREETING = 'Grüße, Zoë, Ångström – “quoted”'",
            "def f(user):",
            f"{indent}name = 'Müller'",
            f"{indent}logger.info(user.email)",
            "",
        ]
    )


ENCODED = {
    "latin1.py": b"# -*- coding: latin-1 -*-\n"
    + _body().replace("–", "-").replace("“", '"').replace("”", '"').encode("latin-1"),  # noqa: E501
    "cp1252.py": b"# coding: cp1252\n" + _body().encode("cp1252"),
    "bom.py": b"\xef\xbb\xbf" + _body().encode("utf-8"),
    "crlf.py": _body("\r\n").encode("utf-8"),
    "cr.py": _body("\r").encode("utf-8"),
    "tabs.py": _body(indent="\t").encode("utf-8"),
    "bom_crlf.py": b"\xef\xbb\xbf# coding: utf-8\r\n" + _body("\r\n").encode("utf-8"),
}


@pytest.mark.parametrize("name", sorted(ENCODED))
def test_line_and_column_survive_encodings_and_line_endings(tmp_path: Path, name: str, cli_scan) -> None:
    raw = ENCODED[name]
    (tmp_path / name).write_bytes(raw)
    scan = cli_scan(tmp_path)
    assert scan.errors == {}
    text = (
        raw.decode("utf-8-sig")
        if not name.startswith(("latin1", "cp1252"))
        else raw.decode(name[:-3].replace("latin1", "latin-1"))
    )  # noqa: E501
    lines = text.splitlines()
    expected_line = next(i for i, line in enumerate(lines, 1) if "logger.info(user.email)" in line)
    expected_column = lines[expected_line - 1].index("email") + 1
    assert scan.codes(name) == [("MIN301", expected_line)]
    assert (expected_line, expected_column, "log") in scan.points(name)


def test_undecodable_bytes_name_the_line(tmp_path: Path, cli_scan) -> None:
    (tmp_path / "bad.py").write_bytes(HEAD.encode() + b"email = 'caf\xe9'\n")
    (tmp_path / "good.py").write_text(LOG_EMAIL)
    scan = cli_scan(tmp_path)
    assert scan.errors == {
        "bad.py": (
            3,
            "cannot decode as utf-8: invalid continuation byte; add a PEP 263 coding line or re-save as UTF-8",
        )
    }
    assert scan.codes("good.py") == [("MIN301", 4)]


def test_unknown_coding_cookie(tmp_path: Path, cli_scan) -> None:
    (tmp_path / "bad.py").write_bytes(b"# coding: klingon\nemail = 1\n")
    scan = cli_scan(tmp_path)
    assert scan.errors == {"bad.py": (1, "bad coding cookie: unknown encoding: klingon")}


# ---------------------------------------------------------------- file system
def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "root"
    root.mkdir()
    (root / "good.py").write_text(LOG_EMAIL)
    return root


def test_unreadable_file(tmp_path: Path, cli_scan) -> None:
    root = _tree(tmp_path)
    locked = root / "locked.py"
    locked.write_text(LOG_EMAIL)
    locked.chmod(0)
    try:
        if os.access(locked, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reading (see test_read_error_is_reported)")
        scan = cli_scan(root)
        assert scan.errors == {"locked.py": (0, "cannot read: Permission denied")}
        assert scan.codes("good.py") == [("MIN301", 4)]
    finally:
        locked.chmod(0o644)


@pytest.mark.parametrize("cache", [False, True])
def test_read_error_is_reported(tmp_path: Path, monkeypatch, cli_scan, cache: bool) -> None:
    root = _tree(tmp_path)
    (root / "locked.py").write_text(LOG_EMAIL)
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name == "locked.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    scan = cli_scan(root, "--cache-dir", str(tmp_path / "cache"), cache=cache)
    assert scan.errors == {"locked.py": (0, "cannot read: Permission denied")}
    assert scan.codes("good.py") == [("MIN301", 4)]


def test_file_vanishing_during_the_scan(tmp_path: Path, monkeypatch, cli_scan) -> None:
    root = _tree(tmp_path)
    (root / "gone.py").write_text(LOG_EMAIL)
    from minimise import scan as scan_module

    real = scan_module.discover

    def discover_then_delete(*args, **kwargs):  # noqa: ANN002, ANN003
        targets = list(real(*args, **kwargs))
        (root / "gone.py").unlink()
        return iter(targets)

    monkeypatch.setattr(scan_module, "discover", discover_then_delete)
    scan = cli_scan(root)
    assert scan.errors == {"gone.py": (0, "file vanished during the scan")}
    assert scan.codes("good.py") == [("MIN301", 4)]


def test_symlinks(tmp_path: Path, cli_scan) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(LOG_EMAIL)
    (root / "out_dir").symlink_to(outside, target_is_directory=True)
    (root / "out_file.py").symlink_to(outside / "secret.py")
    (root / "pkg").mkdir()
    (root / "pkg" / "inner.py").write_text(LOG_EMAIL)
    (root / "pkg" / "loop").symlink_to(root / "pkg", target_is_directory=True)
    (root / "self.py").symlink_to(root / "self.py")
    (root / "alias.py").symlink_to(root / "good.py")
    (root / "dangling.py").symlink_to(root / "missing.py")

    default = cli_scan(root)
    assert {f["path"] for f in default.data["findings"]} == {"good.py", "pkg/inner.py"}
    assert default.errors == {}

    followed = cli_scan(root, "--follow-symlinks")
    paths = {f["path"] for f in followed.data["findings"]}
    assert paths == {"good.py", "pkg/inner.py"}  # not outside the root, each real file once
    assert not any("outside" in p or "secret" in p or "/loop/" in p for p in paths)


def test_sockets_and_fifos_named_py_are_skipped(tmp_path: Path, cli_scan) -> None:
    root = _tree(tmp_path)
    os.mkfifo(root / "pipe.py")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(root / "sock.py"))
    except OSError:  # path too long for AF_UNIX on some systems
        pass
    scan = cli_scan(root)  # would block forever on reading the FIFO
    server.close()
    assert scan.code == 1
    assert scan.codes("good.py") == [("MIN301", 4)]
    assert "pipe.py" not in scan.errors or "not a regular file" in scan.errors["pipe.py"][1]

    from minimise.discover import discover

    problems: list = []
    found = [t.display for t in discover([root], root, problems=problems)]
    assert found == ["good.py"]
    assert ("pipe.py", 0, "not a regular file (named pipe); skipped") in [(p.path, p.line, p.message) for p in problems]


def test_spaces_and_non_ascii_names(tmp_path: Path, cli_scan) -> None:
    root = tmp_path / "my project ü"
    (root / "dir with space").mkdir(parents=True)
    (root / "dir with space" / "naïve café.py").write_text(LOG_EMAIL)
    (root / "данные.py").write_text(LOG_EMAIL)
    scan = cli_scan(root)
    assert scan.codes("dir with space/naïve café.py") == [("MIN301", 4)]
    assert scan.codes("данные.py") == [("MIN301", 4)]


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS refuses non-UTF-8 file names")
def test_undecodable_file_name(tmp_path: Path, proc_scan) -> None:
    root = _tree(tmp_path)
    with open(os.path.join(os.fsencode(root), b"bad\xff.py"), "w") as handle:
        handle.write(LOG_EMAIL)
    scan = proc_scan(root, "--no-cache")
    assert_clean_stderr(scan.stderr)
    assert scan.code == 1
    assert scan.codes("bad\ufffd.py") == [("MIN301", 4)]


def test_root_that_is_not_a_git_repo_and_empty_git_repo(tmp_path: Path, cli_scan) -> None:
    root = _tree(tmp_path)
    (root / "ignored").mkdir()
    (root / "ignored" / "x.py").write_text(LOG_EMAIL)
    (root / ".gitignore").write_text("ignored/\n")
    plain = cli_scan(root)
    assert {f["path"] for f in plain.data["findings"]} == {"good.py"}
    git = subprocess.run(["git", "init", "-q", str(root)], capture_output=True)
    if git.returncode != 0:
        pytest.skip("git not available")
    no_commits = cli_scan(root)
    assert {f["path"] for f in no_commits.data["findings"]} == {"good.py"}
    assert no_commits.errors == {}


# ---------------------------------------------------------- user-written rules
RULES = {
    "invalid.yaml": (
        "version: 1\ncategories: [\n",
        "invalid.yaml:3: invalid YAML: expected the node content, but found '<stream end>'",
    ),  # noqa: E501
    "unknown.yaml": ("version: 1\nfoo: 1\n", "unknown.yaml:2: foo: unknown key (allowed: "),
    "alias.yaml": (
        "version: 1\nsinks: &a []\nsanitizers: *a\n",
        "alias.yaml:2: invalid YAML: anchors (&a) are not allowed here",
    ),  # noqa: E501
    "duplicate.yaml": (
        "version: 1\nversion: 1\n",
        "duplicate.yaml:2: invalid YAML: duplicate key 'version' (first at line 1)",
    ),  # noqa: E501
    "binary.yaml": (b"\xff\xfe\x00", "binary.yaml:1: not UTF-8 text"),
}


@pytest.mark.parametrize("name", sorted(RULES))
def test_bad_rule_file_is_one_line_and_exit_2(tmp_path: Path, name: str, proc_scan) -> None:
    root = _tree(tmp_path)
    content, message = RULES[name]
    rules = tmp_path / name
    rules.write_bytes(content if isinstance(content, bytes) else content.encode())
    scan = proc_scan(root, "--no-cache", "--rules", str(rules), cwd=tmp_path)
    assert scan.code == 2
    assert_clean_stderr(scan.stderr)
    errors = [line for line in scan.stderr.splitlines() if line.startswith("minimise: error: ")]
    assert len(errors) == 1
    assert errors[0].replace(str(tmp_path) + os.sep, "").startswith("minimise: error: " + message), errors[0]


def test_missing_rule_file(tmp_path: Path, proc_scan) -> None:
    root = _tree(tmp_path)
    scan = proc_scan(root, "--no-cache", "--rules", "nope.yaml", cwd=tmp_path)
    assert scan.code == 2
    assert_clean_stderr(scan.stderr)
    assert "minimise: error: nope.yaml: cannot read: No such file or directory" in scan.stderr


@pytest.mark.parametrize("pattern, reason", [("(a+)+$", "nested repetition"), ("([a-z", "invalid regular expression")])
def test_bad_inventory_pattern(tmp_path: Path, pattern: str, reason: str, proc_scan) -> None:
    pytest.importorskip("minimise.inventory")
    root = _tree(tmp_path)
    inventory = tmp_path / "inv.yaml"
    inventory.write_text(
        f"version: 1\ndata:\n  - id: e\n    category: user.contact.email\n    match: {{patterns: [{pattern!r}]}}\n"
    )
    scan = proc_scan(root, "--no-cache", "--inventory", str(inventory), cwd=tmp_path, timeout=20)
    assert scan.code == 2
    assert_clean_stderr(scan.stderr)
    assert "inv.yaml:5:" in scan.stderr and reason in scan.stderr


# ------------------------------------------------------------ internal errors
def _boom_on(module: str, monkeypatch) -> None:
    from minimise.analysis import evaluate as extract

    real = extract.ModuleAnalyser.run

    def run(self, tree):  # noqa: ANN001
        if self.module_name == module:
            raise RuntimeError("boom\nsecond line")
        return real(self, tree)

    monkeypatch.setattr(extract.ModuleAnalyser, "run", run)


def test_internal_error_is_reported_and_the_scan_goes_on(tmp_path: Path, monkeypatch, cli_scan) -> None:
    monkeypatch.delenv("MINIMISE_STRICT", raising=False)
    root = _tree(tmp_path)
    (root / "boom.py").write_text(LOG_EMAIL)
    _boom_on("boom", monkeypatch)
    scan = cli_scan(root)
    assert scan.exception is None or isinstance(scan.exception, SystemExit)
    assert scan.code == 1
    assert scan.errors == {"boom.py": (0, "internal error: RuntimeError: boom second line")}
    assert scan.codes("good.py") == [("MIN301", 4)]


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch, cli_scan) -> None:
    import traceback

    root = _tree(tmp_path)
    (root / "boom.py").write_text(LOG_EMAIL)
    _boom_on("boom", monkeypatch)
    scan = cli_scan(root, "--debug")
    assert isinstance(scan.exception, RuntimeError)
    shown = "".join(traceback.format_exception(scan.exception))
    assert "Traceback" in shown and "RuntimeError: boom" in shown and "extract" not in shown or "run" in shown


# ------------------------------------------------------------------ no leaks
PERSONAL = [
    "john.doe@example.com",
    "4111 1111 1111 1111",
    "4111111111111111",
    "GB82 WEST 1234 5698 7654 32",
    "DE89370400440532013000",
    "123-45-6789",
]


def test_literal_personal_data_never_reaches_a_report(tmp_path: Path, cli_scan) -> None:
    root = tmp_path / "root"
    root.mkdir()
    literals = " ".join(PERSONAL)
    (root / "a.py").write_text(
        HEAD + "def f(request, user):\n"
        f"    logger.info('{literals}')\n"
        "    logger.info(request.form['email_john.doe@example.com'])\n"
        "    logger.info(user['email 4111111111111111'])\n"
        "    logger.info(user.email, extra={'ssn': '123-45-6789'})\n"
    )
    (root / "b.py").write_text(f"email = '{PERSONAL[0]}' +\n")
    (root / "c.py").write_text(f"email = 1\nx = '{PERSONAL[1]}\n")
    (root / "d.py").write_bytes(f"email = '{PERSONAL[3]}'\n".encode() + b"\xff\n")
    outputs = []
    for fmt in ("json", "text"):
        scan = cli_scan(root, "--format", fmt, "--data-points") if fmt == "text" else cli_scan(root)
        outputs.append(scan.stdout + scan.stderr)
    secrets = PERSONAL + ["john.doe", "5698 7654"]
    for output in outputs:
        for line in output.splitlines():
            assert [p for p in secrets if p in line] == [], line


def test_importing_is_never_done(tmp_path: Path, cli_scan) -> None:
    marker = tmp_path / "imported.txt"
    root = tmp_path / "root"
    root.mkdir()
    (root / "evil.py").write_text(
        f"open({str(marker)!r}, 'w').write('x')\nimport os\nos.system('touch {marker}')\nemail = 1\n"
    )
    (root / "conftest.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n")
    cli_scan(root, "--no-prefilter")
    assert not marker.exists()


def test_atomic_write_keeps_the_old_file_when_interrupted(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "report.json"
    target.write_text("old report")

    def killed(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(target, "new report")
    assert target.read_text() == "old report"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]  # no temporary left behind


def test_cache_entry_survives_a_failed_rewrite(tmp_path: Path, monkeypatch) -> None:
    options = EngineOptions()
    knowledge = options.knowledge()
    cache = ResultCache(tmp_path, options, knowledge)
    result = analyse_bytes(LOG_EMAIL.encode(), "a.py", options, knowledge, None)
    key = cache.key(LOG_EMAIL.encode(), "a.py")
    cache.put(key, result)
    stored = replace(result, data_points=tuple(replace(p, trace=()) for p in result.data_points))
    assert cache.get(key, "a.py") == stored

    def failing(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    cache.put(key, FileResult("a.py"))  # swallowed: a cache is optional
    monkeypatch.undo()
    assert cache.get(key, "a.py") == stored
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_report_output_not_replaced_when_writing_fails(tmp_path: Path, monkeypatch, cli_scan) -> None:
    root = _tree(tmp_path)
    out = tmp_path / "report.json"
    out.write_text("previous")
    real = os.replace

    def failing(src, dst):  # noqa: ANN001
        if str(dst) == str(out):
            raise OSError(28, "No space left on device")
        return real(src, dst)

    monkeypatch.setattr(os, "replace", failing)
    scan = cli_scan(root, "-o", str(out))
    assert out.read_text() == "previous"
    assert scan.code != 0
    assert not list(tmp_path.glob(".report.json.*"))


def test_two_scans_sharing_a_cache_concurrently(tmp_path: Path) -> None:
    corpus = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
    cache = tmp_path / "cache"
    env = {k: v for k, v in os.environ.items() if k != "MINIMISE_STRICT"}
    command = [
        sys.executable,
        "-m",
        "minimise",
        "scan",
        str(corpus),
        "--format",
        "json",
        "-j2",
        "--cache-dir",
        str(cache),
    ]  # noqa: E501
    first = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for _ in range(2)
    ]  # noqa: E501
    outputs = [p.communicate(timeout=120) for p in first]
    again = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    fresh = subprocess.run(command[:-2] + ["--no-cache"], capture_output=True, text=True, env=env, timeout=120)
    assert [p.returncode for p in first] == [1, 1]
    assert outputs[0][0] == outputs[1][0] == again.stdout == fresh.stdout
    assert not list(cache.rglob("*.tmp"))


def test_no_network(tmp_path: Path, monkeypatch, cli_scan) -> None:
    root = _tree(tmp_path)

    class NoNetwork(socket.socket):
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise AssertionError("minimise opened a socket")

    monkeypatch.setattr(socket, "socket", NoNetwork)
    monkeypatch.setattr(socket, "create_connection", NoNetwork)
    scan = cli_scan(root, "--no-prefilter", cache=True)
    assert scan.code == 1
    assert scan.codes("good.py") == [("MIN301", 4)]
