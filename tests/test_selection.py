"""Rule selection as ruff and flake8 users type it, and `# noqa` read as flake8 reads it, in `minimise scan`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli

APP = """\
import logging

import requests

log = logging.getLogger(__name__)


def signup(request, user):
    log.info("signup %s", user.email)
    requests.post("https://crm.example.com/leads", json={"email": user.email})
    print(user.date_of_birth)
"""
# (code, line) of every finding in APP under the default policy.
ALL_FINDINGS = [("MIN301", 9), ("MIN401", 10), ("MIN301", 11)]


def _project(tmp_path: Path, text: str = APP, config: str | None = None) -> Path:
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    if config is not None:
        (tmp_path / "pyproject.toml").write_text(config, encoding="utf-8")
    return tmp_path


def _scan(root: Path, *args: str) -> tuple[int, list[tuple[str, int]], str]:
    result = CliRunner().invoke(cli, ["scan", str(root), "--no-cache", "--format", "json", *args])
    if result.exit_code == 2:
        return 2, [], result.stderr
    data = json.loads(result.stdout)
    return result.exit_code, [(f["code"], f["line"]) for f in data["findings"]], result.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((), ALL_FINDINGS),
        (("--select", "MIN301,MIN401"), ALL_FINDINGS),
        (("--select", "MIN301", "--select", "MIN401"), ALL_FINDINGS),
        (("--select", "min4"), [("MIN401", 10)]),
        (("--select", "MIN3"), [("MIN301", 9), ("MIN301", 11)]),
        (("--select", "ALL", "--ignore", "MIN4"), [("MIN301", 9), ("MIN301", 11)]),
        (("--select", "all"), ALL_FINDINGS),
        (("--ignore", "MIN301, MIN401"), []),
        (("--select", "MIN4", "--extend-select", "MIN301"), ALL_FINDINGS),
        # The more specific entry wins, as in ruff.
        (("--select", "MIN3", "--ignore", "MIN30"), []),
        (("--ignore", "MIN", "--select", "MIN401"), [("MIN401", 10)]),
    ],
)
def test_select_and_ignore_like_ruff(tmp_path: Path, args: tuple[str, ...], expected: list[tuple[str, int]]) -> None:
    code, found, _ = _scan(_project(tmp_path), *args)
    assert found == expected
    assert code == (1 if expected else 0)


@pytest.mark.parametrize(
    ("args", "bad", "near"),
    [
        (("--select", "MIN999"), "MIN999", "did you mean MIN"),
        (("--select", "MIN301,MIN3O1"), "MIN3O1", "did you mean MIN301?"),
        (("--ignore", "E501"), "E501", "did you mean MIN501?"),
        (("--select", "XYZ"), "XYZ", "known codes: MIN001, MIN201"),
        (("--extend-select", "MIN8"), "MIN8", ""),
    ],
)
def test_unknown_code_is_a_usage_error(tmp_path: Path, args: tuple[str, ...], bad: str, near: str) -> None:
    code, _, err = _scan(_project(tmp_path), *args)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith(f"minimise: error: {args[0]}: unknown rule code or prefix {bad!r}")
    assert near in line


def test_unknown_code_in_pyproject_names_file_and_line(tmp_path: Path) -> None:
    root = _project(tmp_path, config='[project]\nname = "x"\n\n[tool.minimise]\nselect = ["MIN999"]\n')
    code, _, err = _scan(root)
    assert code == 2
    [line] = err.splitlines()
    assert line.startswith("minimise: error: ")
    assert line.endswith("pyproject.toml:5: select: unknown rule code or prefix 'MIN999'; did you mean MIN902?")


def test_extend_select_and_per_file_ignores_in_config(tmp_path: Path) -> None:
    config = (
        "[tool.minimise]\n"
        'select = ["MIN4"]\n'
        'extend-select = ["MIN301"]\n'
        "[tool.minimise.per-file-ignores]\n"
        '"legacy/*.py" = ["MIN3"]\n'
    )
    root = _project(tmp_path, config=config)
    (root / "legacy").mkdir()
    (root / "legacy" / "old.py").write_text(APP, encoding="utf-8")
    result = CliRunner().invoke(cli, ["scan", str(root), "--no-cache", "--format", "json"])
    found = [(f["path"], f["code"], f["line"]) for f in json.loads(result.stdout)["findings"]]
    assert found == [
        ("app.py", "MIN301", 9),
        ("app.py", "MIN401", 10),
        ("app.py", "MIN301", 11),
        ("legacy/old.py", "MIN401", 10),
    ]


def test_unknown_code_in_per_file_ignores(tmp_path: Path) -> None:
    root = _project(tmp_path, config='[tool.minimise.per-file-ignores]\n"*.py" = ["MIN42"]\n')
    code, _, err = _scan(root)
    assert code == 2 and "per-file-ignores (*.py): unknown rule code or prefix 'MIN42'" in err


NOQA_CASES = [
    # (replacement for line 9, whether MIN301 on line 9 is still reported)
    ('    log.info("signup %s", user.email)  # noqa', False),
    ('    log.info("signup %s", user.email)  # noqa: MIN301', False),
    ('    log.info("signup %s", user.email)  # NOQA:MIN3,E501', False),
    ('    log.info("signup %s", user.email)  # noqa: MIN401', True),
    # flake8 compares codes case-sensitively: a lower-case code silences nothing.
    ('    log.info("signup %s", user.email)  # noqa: min301', True),
    ('    log.info("signup %s", user.email)  #noqa', True),
    # flake8 reads a comment on its own physical line: not on the other lines of a bracketed call...
    ('    log.info(\n        "signup %s", user.email\n    )  # noqa: MIN301', True),
    ('    log.info(\n        "signup %s", user.email  # noqa: MIN301\n    )', False),
    # ...but on every line of a backslash-continued one.
    ('    log.info("signup %s" % user.email, \\\n        1)  # noqa: MIN301', False),
]


@pytest.mark.parametrize(("line", "reported"), NOQA_CASES)
def test_noqa_in_minimise_scan(tmp_path: Path, line: str, reported: bool) -> None:
    text = APP.replace('    log.info("signup %s", user.email)', line)
    _code, found, _ = _scan(_project(tmp_path, text))
    assert (("MIN301", 9) in found or ("MIN301", 10) in found) is reported
    assert ("MIN401", 10 + line.count("\n")) in found  # other lines are untouched


def test_flake8_noqa_file_comment_silences_the_file(tmp_path: Path) -> None:
    code, found, _ = _scan(_project(tmp_path, "# flake8: noqa\n" + APP))
    assert (code, found) == (0, [])


def test_minimise_ignore_takes_prefixes(tmp_path: Path) -> None:
    text = APP.replace("user.email)\n", "user.email)  # minimise: ignore[MIN3] audit log\n", 1)
    _code, found, _ = _scan(_project(tmp_path, text))
    assert found == [("MIN401", 10), ("MIN301", 11)]


FLAKE8 = shutil.which("flake8", path=str(Path(sys.executable).parent))


@pytest.mark.skipif(FLAKE8 is None, reason="flake8 not installed")
def test_noqa_parity_with_real_flake8(tmp_path: Path) -> None:
    """Every noqa form above gives flake8 and `minimise scan` the same lines."""
    assert FLAKE8 is not None
    minimise = Path(sys.executable).parent / "minimise"
    for index, (line, _reported) in enumerate(NOQA_CASES):
        folder = tmp_path / f"case{index}"
        folder.mkdir()
        _project(folder, APP.replace('    log.info("signup %s", user.email)', line))
        env = {"PATH": str(Path(sys.executable).parent), "NO_COLOR": "1"}
        flake8 = subprocess.run(
            [FLAKE8, "--select=MIN", "app.py"], cwd=folder, capture_output=True, text=True, env=env
        ).stdout
        scan = subprocess.run(
            [str(minimise), "scan", "--no-cache", "-q", "app.py"], cwd=folder, capture_output=True, text=True, env=env
        ).stdout
        flake8_lines = sorted(line for line in flake8.splitlines() if ": MIN" in line)
        scan_lines = sorted(line for line in scan.splitlines() if ": MIN" in line)
        assert flake8_lines == scan_lines, line
        assert scan_lines, line
