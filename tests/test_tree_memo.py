"""A folder scan of an unchanged tree replays its kept output; any change to what it read runs it in full."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from small_app import APP, small_app

SECOND = "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef bye(user):\n    log.warning(user.phone)\n"
AN_HOUR_AGO = time.time() - 3600
# Loaded only when a scan analyses, links or applies a policy: a replay needs none of them.
ANALYSIS = ("minimise.engine", "minimise.scan", "minimise.knowledge", "libcst")


def _age(*paths: Path, when: float = AN_HOUR_AGO) -> None:
    for path in paths:
        os.utime(path, (when, when))


def _project(tmp_path: Path) -> Path:
    project = small_app(tmp_path)
    _age(*project.iterdir())
    return project


def _scan(project: Path, cache: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str, bool]:
    """(exit code, stdout, stderr, whether the analysis was loaded) of `minimise scan ARGS` in a new process."""
    loaded = project.parent / "loaded.txt"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(loaded)!r}, 'w').write(','.join(m for m in {ANALYSIS!r} "
        "if m in sys.modules)))\n"
        "from minimise.cli import main\nmain()\n"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), **(env or {})}
    environment.pop("CI", None)
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", *args], cwd=project, env=environment, capture_output=True, text=True
    )
    return done.returncode, done.stdout, done.stderr, bool(loaded.read_text().strip())


def _findings(stdout: str) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in json.loads(stdout)["findings"]]


def test_an_unchanged_tree_is_answered_from_its_kept_output_without_loading_the_analysis(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    first = _scan(project, cache, ".")
    assert first[0] == 1 and first[3]
    assert "views.py:7:" in first[1] and "MIN301" in first[1]
    second = _scan(project, cache, ".")
    assert second == (*first[:3], False)
    report = tmp_path / "report.json"
    as_json = _scan(project, cache, ".", "--format", "json", "-o", str(report))
    assert as_json[3] and _findings(report.read_text()) == [("MIN301", "views.py", 7)]
    report.unlink()
    again = _scan(project, cache, ".", "--format", "json", "-o", str(report))
    assert again == (*as_json[:3], False)
    assert _findings(report.read_text()) == [("MIN301", "views.py", 7)]  # the -o file is written again


def test_an_edited_added_or_removed_file_runs_the_scan_again(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    _scan(project, cache, ".", "--format", "json")
    assert _scan(project, cache, ".", "--format", "json")[3] is False
    (project / "views.py").write_text(APP.replace("user.email", "user.email_address"), encoding="utf-8")
    _age(project / "views.py", when=AN_HOUR_AGO + 60)
    edited = _scan(project, cache, ".", "--format", "json")
    assert edited[3] and _findings(edited[1]) == [("MIN301", "views.py", 7)]
    assert "email_address" in edited[1]
    (project / "goodbye.py").write_text(SECOND, encoding="utf-8")
    _age(project / "goodbye.py")
    added = _scan(project, cache, ".", "--format", "json")
    assert added[3] and _findings(added[1]) == [("MIN301", "goodbye.py", 7), ("MIN301", "views.py", 7)]
    (project / "goodbye.py").unlink()
    removed = _scan(project, cache, ".", "--format", "json")
    assert removed[3] and _findings(removed[1]) == [("MIN301", "views.py", 7)]


def test_files_changed_just_before_the_scan_are_not_trusted_to_their_stamps(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    # A time not safely before the scan (a write in the same tick of the clock would keep it): here,
    # one in the future, which a slow start of the scan cannot turn into the past.
    _age(project / "views.py", when=time.time() + 3600)
    _scan(project, cache, ".")
    assert _scan(project, cache, ".")[3] is True
    assert not list(cache.rglob("trees/*.json"))


def test_configuration_inventory_and_switches_are_part_of_the_key(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    assert _scan(project, cache, ".")[0] == 1
    assert _scan(project, cache, ".", "--exit-zero")[::3] == (0, True)
    assert _scan(project, cache, ".")[::3] == (1, False)
    (project / "pyproject.toml").write_text('[tool.minimise]\nignore = ["MIN301"]\n', encoding="utf-8")
    _age(project / "pyproject.toml")
    ignored = _scan(project, cache, ".")
    assert ignored[0] == 0 and "0 findings" in ignored[1] and ignored[3]
    (project / "pyproject.toml").write_text("[tool.minimise]\n", encoding="utf-8")
    _age(project / "pyproject.toml", when=AN_HOUR_AGO + 60)
    _scan(project, cache, ".")
    inventory = "version: 1\nsystem: {name: app}\ndata:\n  - id: email\n    category: user.contact.email\n"
    (project / "data-inventory.yaml").write_text(inventory, encoding="utf-8")
    _age(project / "data-inventory.yaml")
    found = _scan(project, cache, ".")
    assert found[3] and "no data inventory" not in found[2] and found[0] in (0, 1)
    assert _scan(project, cache, ".") == (*found[:3], False)


def test_a_tampered_kept_output_is_not_replayed(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    first = _scan(project, cache, ".")
    [kept] = cache.rglob("trees/*.json")
    kept.write_text(kept.read_text().replace("views.py", "other.py"), encoding="utf-8")
    second = _scan(project, cache, ".")
    assert second == (*first[:3], True)


@pytest.mark.parametrize(
    "args, env",
    [
        (("--no-cache",), {}),
        (("--format", "html", "-o", "report.html"), {}),
        (("--diff", "HEAD"), {}),
    ],
)
def test_scans_whose_output_is_not_a_fact_of_the_tree_keep_nothing(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    if "--diff" in args:
        for command in (
            ["init", "-q"],
            ["add", "."],
            ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"],
        ):
            subprocess.run(["git", *command], cwd=project, check=True, capture_output=True)
    _scan(project, cache, *args, env=env)
    assert _scan(project, cache, *args, env=env)[3] is True
    assert not list(cache.rglob("trees/*.json"))


def test_an_html_report_with_a_fixed_date_is_kept(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    fixed = {"SOURCE_DATE_EPOCH": "1700000000"}
    _scan(project, cache, ".", "--format", "html", "-o", "report.html", env=fixed)
    written = (project / "report.html").read_text()
    (project / "report.html").unlink()
    assert _scan(project, cache, ".", "--format", "html", "-o", "report.html", env=fixed)[3] is False
    assert (project / "report.html").read_text() == written


def _flake8(project: Path, cache: Path, *args: str) -> tuple[list[str], bool]:
    """flake8 --select=MIN in one process: (its lines, whether minimise's analysis was loaded)."""
    loaded = project.parent / "loaded.txt"
    code = (
        "import atexit, sys\n"
        f"atexit.register(lambda: open({str(loaded)!r}, 'w').write(','.join(m for m in {ANALYSIS!r} "
        "if m in sys.modules)))\n"
        "from flake8.main.cli import main\nmain()\n"
    )
    environment = {**os.environ, "XDG_CACHE_HOME": str(cache), "NO_COLOR": "1"}
    environment.pop("CI", None)
    done = subprocess.run(
        [sys.executable, "-c", code, "--select=MIN", "--jobs=1", *args],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    return done.stdout.splitlines(), bool(loaded.read_text().strip())


def test_flake8_on_an_unchanged_project_gives_the_kept_verdicts(tmp_path: Path) -> None:
    project, cache = _project(tmp_path), tmp_path / "cache"
    lines, loaded = _flake8(project, cache, ".")
    assert loaded and lines == [
        "./views.py:7:19: MIN301 Email address (user.contact.email) logged via logging: `email`"
    ]
    assert _flake8(project, cache, ".") == (lines, False)
    (project / "views.py").write_text(APP.replace("log.info(user.email)", "log.info(user.email)  # noqa: MIN301"))
    _age(project / "views.py", when=AN_HOUR_AGO + 60)
    assert _flake8(project, cache, ".") == ([], True)
    assert _flake8(project, cache, ".") == ([], False)
    (project / "goodbye.py").write_text(SECOND, encoding="utf-8")
    _age(project / "goodbye.py")
    added, loaded = _flake8(project, cache, ".")
    assert loaded and [line.split(" ")[:2] for line in added] == [["./goodbye.py:7:22:", "MIN301"]]


def test_minimise_s_own_code_and_rules_are_inputs_of_every_memo() -> None:
    import minimise.tree_memo
    from minimise.shipped import rules_dir, shipped_files

    files = shipped_files()
    assert str((rules_dir() / "sinks.yaml").absolute()) in files
    assert str(Path(minimise.tree_memo.__file__).absolute()) in files
    assert not [name for name in files if name.endswith(".pyc")]
