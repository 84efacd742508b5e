"""The flake8 plugin, run through the real `flake8` executable: same codes and positions as `minimise scan`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SNIPPET = ROOT / "docs" / "snippets" / "setup.cfg"
BIN = Path(sys.executable).parent
FLAKE8 = shutil.which("flake8", path=str(BIN)) or shutil.which("flake8")
MINIMISE = shutil.which("minimise", path=str(BIN)) or shutil.which("minimise")

pytestmark = pytest.mark.skipif(FLAKE8 is None or MINIMISE is None, reason="flake8 or minimise not installed")

APP = """\
import logging

import requests

log = logging.getLogger(__name__)


def signup(request, user):
    email = request.POST["email"]
    log.info("signup %s", email)
    log.warning("phone %s", user.phone_number)
    requests.post("https://crm.example.com/leads", json={"email": user.email})
    print(user.date_of_birth)
"""
_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>MIN\d+) ")


def _env() -> dict[str, str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("CI", None)
    return env


def _flake8(cwd: Path, *args: str) -> list[str]:
    assert FLAKE8 is not None
    done = subprocess.run([FLAKE8, "--select=MIN", *args], cwd=cwd, capture_output=True, text=True, env=_env())
    assert done.returncode in (0, 1), done.stderr
    return [line for line in done.stdout.splitlines() if line]


def _scan(cwd: Path, *args: str) -> list[str]:
    assert MINIMISE is not None
    done = subprocess.run([MINIMISE, "scan", "--no-cache", *args], cwd=cwd, capture_output=True, text=True, env=_env())
    assert done.returncode in (0, 1), done.stderr
    return [line for line in done.stdout.splitlines() if _LINE.match(line)]


def test_same_lines_as_minimise_scan(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "app.py").write_text(APP, encoding="utf-8")
    flake8 = _flake8(tmp_path, "pkg/app.py")
    scan = _scan(tmp_path, "pkg/app.py")
    assert len(scan) >= 3
    assert {m.group("code") for m in map(_LINE.match, scan) if m} >= {"MIN301", "MIN401"}
    assert flake8 == scan


def test_same_lines_on_the_whole_corpus_file(tmp_path: Path) -> None:
    source = ROOT / "tests" / "fixtures" / "corpus" / "storage" / "cookies.py"
    shutil.copy(source, tmp_path / "cookies.py")
    scan = _scan(tmp_path, "cookies.py")
    assert scan
    assert _flake8(tmp_path, "cookies.py") == scan


def test_noqa_is_honoured(tmp_path: Path) -> None:
    text = APP.replace('log.info("signup %s", email)', 'log.info("signup %s", email)  # noqa: MIN301')
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    flake8 = _flake8(tmp_path, "app.py")
    scan = _scan(tmp_path, "app.py")
    assert not any(line.startswith("app.py:10:") for line in scan)
    assert scan == flake8 and len(scan) == 3


def test_minimise_ignore_comment_is_honoured(tmp_path: Path) -> None:
    text = APP.replace('log.info("signup %s", email)', 'log.info("signup %s", email)  # minimise: ignore[MIN301] ok')
    (tmp_path / "app.py").write_text(text, encoding="utf-8")
    flake8 = _flake8(tmp_path, "app.py")
    assert not any(line.startswith("app.py:10:") for line in flake8)
    assert flake8 == _scan(tmp_path, "app.py")


def test_snippet_setup_cfg_enables_the_plugin(tmp_path: Path) -> None:
    shutil.copy(SNIPPET, tmp_path / "setup.cfg")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    assert FLAKE8 is not None
    done = subprocess.run([FLAKE8, "app.py"], cwd=tmp_path, capture_output=True, text=True, env=_env())
    lines = [line for line in done.stdout.splitlines() if " MIN" in line]
    assert done.returncode == 1
    assert lines == _scan(tmp_path, "app.py")


def test_rules_option_in_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    before = _flake8(tmp_path, "app.py")
    assert any("`phone_number`" in line for line in before)
    (tmp_path / "extra.yaml").write_text("version: 1\nnon_personal: [phone_number]\n", encoding="utf-8")
    (tmp_path / "setup.cfg").write_text("[flake8]\nminimise-rules = extra.yaml\n", encoding="utf-8")
    after = _flake8(tmp_path, "app.py")
    assert after == [line for line in before if "`phone_number`" not in line]
    assert after == _scan(tmp_path, "app.py", "--rules", "extra.yaml")


def test_config_option_in_setup_cfg(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "privacy.toml").write_text('[tool.minimise]\nignore = ["MIN301"]\n', encoding="utf-8")
    (tmp_path / "tox.ini").write_text("[flake8]\nminimise-config = privacy.toml\n", encoding="utf-8")
    flake8 = _flake8(tmp_path, "app.py")
    assert flake8
    assert not any(" MIN301 " in line for line in flake8)
    assert flake8 == _scan(tmp_path, "app.py", "--config", "privacy.toml")


def test_pyproject_configuration_applies_to_both(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.minimise]\nselect = ["MIN4"]\n', encoding="utf-8")
    flake8 = _flake8(tmp_path, "app.py")
    assert flake8 and all(" MIN4" in line for line in flake8)
    assert flake8 == _scan(tmp_path, "app.py")


def test_core_never_imports_flake8() -> None:
    code = (
        "import sys, minimise.flake8_plugin, minimise.engine, minimise.scan, minimise.commands.scan_cmd;"
        "print('flake8' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
