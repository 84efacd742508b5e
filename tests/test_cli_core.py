"""The scan command: exit codes, the JSON contract, determinism, text output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from minimise.cli import cli

APP = """import logging
log = logging.getLogger(__name__)

def signup(user):
    log.info("signup %s", user.email)
"""


def _write(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def test_json_report_contract(tmp_path: Path) -> None:
    root = _write(tmp_path, {"app/views.py": APP, "legacy/py2.py": "print 'hi', email\n"})
    result = CliRunner().invoke(cli, ["scan", str(root), "--format", "json", "--no-cache"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["schema"] == "minimise-report/1"
    assert report["tool"]["name"] == "minimise"
    assert report["data_points"] == [
        {
            "path": "app/views.py",
            "line": 5,
            "column": 32,
            "action": "log",
            "category": "user.contact.email",
            "sensitivity": "medium",
            "identifier": "email",
            "via": "logging",
            "protection": "none",
            "scope": "app.views.signup",
        }
    ]
    [finding, unparsed] = report["findings"]
    assert (finding["code"], finding["name"], finding["line"], finding["category"]) == (
        "MIN301",
        "personal-data-logged",
        5,
        "user.contact.email",
    )
    assert finding["fingerprint"]
    # The Python 2 file names personal data: not analysing it is a finding, not only an error.
    assert (unparsed["code"], unparsed["severity"], unparsed["path"], unparsed["line"]) == (
        "MIN001",
        "error",
        "legacy/py2.py",
        1,
    )
    assert "cannot parse" in unparsed["message"]
    [error] = report["errors"]
    assert error["path"] == "legacy/py2.py" and error["line"] == 1 and "cannot parse" in error["message"]
    assert report["summary"] == {"files_scanned": 2, "files_treated_as_tests": 0}


def test_output_is_identical_between_runs_and_job_counts(tmp_path: Path) -> None:
    files = {f"pkg/m{i}.py": APP.replace("signup", f"signup{i}") for i in range(12)}
    root = _write(tmp_path, files)
    outputs = set()
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["scan", str(root), "--format", "json", "--no-cache", "-j", jobs])
        outputs.add(result.output)
    assert len(outputs) == 1


def test_exit_codes(tmp_path: Path) -> None:
    clean = _write(tmp_path / "clean", {"a.py": "x = 1\n"})
    assert CliRunner().invoke(cli, ["scan", str(clean), "--no-cache"]).exit_code == 0
    dirty = _write(tmp_path / "dirty", {"a.py": APP})
    assert CliRunner().invoke(cli, ["scan", str(dirty), "--no-cache"]).exit_code == 1
    missing = CliRunner().invoke(cli, ["scan", str(tmp_path / "nope")])
    assert missing.exit_code == 2 and "no such file" in missing.output


def test_text_report_lines(tmp_path: Path) -> None:
    root = _write(tmp_path, {"views.py": APP})
    result = CliRunner().invoke(cli, ["scan", str(root), "--no-cache"])
    assert "views.py:5:32: MIN301 Email address (user.contact.email) logged via logging: `email`" in result.output
    assert "1 finding" in result.output


def test_help_does_not_import_libcst() -> None:
    code = (
        "import sys\nfrom minimise.cli import cli\n"
        "try:\n    cli.main(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass\n"
        "print('libcst' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")


def test_scan_of_non_personal_files_never_imports_libcst(tmp_path: Path) -> None:
    _write(tmp_path, {"maths.py": "def add(a, b):\n    return a + b\n"})
    code = (
        "import sys\nfrom minimise.cli import cli\n"
        f"try:\n    cli.main(['scan', {str(tmp_path)!r}, '--no-cache', '-j', '1'], standalone_mode=False)\n"
        "except SystemExit:\n    pass\nprint('libcst' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("False")
