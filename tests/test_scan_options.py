"""What ruff and flake8 users type by habit: --exit-zero, -q, --color, stdin, --statistics, `--`, MIN001."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.cli import cli

LEAKY = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)
MINIMISE = str(Path(sys.executable).parent / "minimise")


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "FORCE_COLOR")}
    env.update(extra)
    return env


def _run(cwd: Path, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [MINIMISE, *args], cwd=cwd, capture_output=True, text=True, input=stdin, env=_env(**env), timeout=120
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(LEAKY, encoding="utf-8")
    return tmp_path


def test_exit_zero_keeps_the_report(project: Path) -> None:
    done = _run(project, "scan", "--no-cache", "--exit-zero", "app.py")
    assert done.returncode == 0
    assert "app.py:7:32: MIN301 " in done.stdout
    assert _run(project, "scan", "--no-cache", "app.py").returncode == 1
    assert _run(project, "scan", "--no-cache", "--exit-zero", "--select", "NOPE", "app.py").returncode == 2


def test_quiet_prints_findings_only(project: Path) -> None:
    done = _run(project, "scan", "--no-cache", "-q", ".")
    assert done.returncode == 1
    assert done.stdout.splitlines() == [
        "app.py",
        "app.py:7:32: MIN301 Email address (user.contact.email) logged via logging: `email`",
    ]
    assert done.stderr == ""
    loud = _run(project, "scan", "--no-cache", ".")
    assert "1 finding (1 warning) in 1 file; 1 data point (0 collect, 0 store, 1 log, 0 share)" in loud.stdout
    assert "minimise inventory init" in loud.stderr and "# noqa: CODE" in loud.stderr


@pytest.mark.parametrize(
    ("args", "env", "coloured"),
    [
        (("--color", "always"), {}, True),
        (("--color", "never"), {"FORCE_COLOR": "1"}, False),
        ((), {"FORCE_COLOR": "1"}, True),
        ((), {"FORCE_COLOR": "1", "NO_COLOR": "1"}, True),  # FORCE_COLOR wins, as in pytest and ruff
        ((), {"NO_COLOR": "1"}, False),
        ((), {}, False),  # not a terminal
        (("--colour", "always"), {"NO_COLOR": "1"}, True),
    ],
)
def test_colour_switches(project: Path, args: tuple[str, ...], env: dict[str, str], coloured: bool) -> None:
    done = _run(project, "scan", "--no-cache", *args, "app.py", **env)
    assert ("\033[" in done.stdout) is coloured


def test_stdin_with_a_file_name(project: Path) -> None:
    (project / "pkg").mkdir()
    done = _run(project, "scan", "-", "--stdin-filename", "pkg/views.py", "--no-cache", stdin=LEAKY)
    assert done.returncode == 1, done.stderr
    assert "pkg/views.py:7:32: MIN301 " in done.stdout
    as_json = _run(project, "scan", "-", "--stdin-filename", "pkg/views.py", "--format", "json", stdin=LEAKY)
    [finding] = json.loads(as_json.stdout)["findings"]
    assert (finding["path"], finding["line"], finding["code"]) == ("pkg/views.py", 7, "MIN301")
    silenced = _run(project, "scan", "-", "--stdin-filename", "x.py", stdin=LEAKY.replace("email)", "email)  # noqa"))
    assert silenced.returncode == 0 and "MIN301" not in silenced.stdout
    assert _run(project, "scan", "-", "app.py", stdin=LEAKY).returncode == 2


def test_statistics(project: Path) -> None:
    (project / "b.py").write_text(LEAKY + "    print(user.phone_number)\n", encoding="utf-8")
    done = _run(project, "scan", "--no-cache", "--statistics", "-q", ".")
    assert done.stdout.splitlines()[-1:] == ["3     MIN301 personal-data-logged"]


def test_double_dash_makes_every_word_a_path(project: Path) -> None:
    (project / "--select=MIN9.py").write_text("x = 1\n", encoding="utf-8")
    done = _run(project, "scan", "--no-cache", "-q", "--", "--select=MIN9.py", "app.py")
    assert done.returncode == 1, done.stderr
    assert "app.py:7:32: MIN301 " in done.stdout
    missing = _run(project, "scan", "--no-cache", "--", "--output=setup.py")
    assert missing.returncode == 2 and "--output=setup.py: no such file or directory" in missing.stderr
    assert not (project / "setup.py").exists()


def test_unparsable_file_naming_personal_data_is_min001(project: Path) -> None:
    (project / "legacy.py").write_text("email = 1\n\nprint email\n", encoding="utf-8")
    (project / "noise.py").write_text("x = = 1\n", encoding="utf-8")  # names nothing: silent, as before
    (project / "app.py").unlink()
    done = _run(project, "scan", "--no-cache", "--format", "json", ".")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert [(f["code"], f["severity"], f["path"], f["line"]) for f in report["findings"]] == [
        ("MIN001", "error", "legacy.py", 3)
    ]
    assert report["findings"][0]["message"].startswith("names personal data but was not analysed: cannot parse")
    assert {e["path"] for e in report["errors"]} == {"legacy.py"}  # the prefilter rules noise.py out
    assert _run(project, "scan", "--no-cache", "--ignore", "MIN001", ".").returncode == 0
    undecodable = project / "latin.py"
    undecodable.write_bytes(b"email = '\xe9'\n")
    text = _run(project, "scan", "--no-cache", "-q", "latin.py")
    assert text.stdout.splitlines()[1].startswith("latin.py:1:1: MIN001 names personal data but was not analysed: ")


def test_kebab_and_snake_case_keys(project: Path) -> None:
    (project / "minimise.toml").write_text('fail-on = "error"\ninclude_tests = true\n', encoding="utf-8")
    assert _run(project, "scan", "--no-cache", "app.py").returncode == 0  # a warning is below fail-on
    (project / "minimise.toml").write_text('fail-on = "error"\nfail_on = "note"\n', encoding="utf-8")
    done = _run(project, "scan", "--no-cache", "app.py")
    assert done.returncode == 2 and "minimise.toml:2: 'fail_on' repeats 'fail-on'" in done.stderr


@pytest.mark.parametrize(
    "text",
    ['[tool.minimise\nfail_on = "error"\n', '[tool.minimise]\nfail_on = "error\n'],
)
def test_malformed_pyproject_is_an_error(project: Path, text: str) -> None:
    (project / "pyproject.toml").write_text(text, encoding="utf-8")
    done = _run(project, "scan", "--no-cache", "app.py")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("minimise: error: pyproject.toml:") and "invalid TOML" in line


def test_help_summaries_are_not_cut() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    listing = " ".join(result.output.split())
    assert "Scan Python files for personal data collected, stored, logged and shared." in listing
    assert "Explain a rule (MIN301) or why a line (path.py:LINE) was reported." in listing
    assert "Accept existing findings so that scans report only new ones." in listing
    assert "Show the configuration `minimise scan` would use, and where each value came from." in listing


def test_explain_describes_min001(project: Path) -> None:
    done = _run(project, "explain", "min001")
    assert done.returncode == 0
    assert done.stdout.startswith("# MIN001 file-not-analysed (error)\n")
