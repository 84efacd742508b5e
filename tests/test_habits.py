"""The first-day habits of ruff and flake8 users, typed into the installed `minimise` and `flake8` programs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
MINIMISE = str(BIN / "minimise")
FLAKE8 = shutil.which("flake8", path=str(BIN))
SHOP = Path(__file__).resolve().parent / "fixtures" / "inventory" / "project"
APP = (
    "import logging\n\nimport requests\n\nlog = logging.getLogger(__name__)\n\n\n"
    "def signup(user):\n"
    '    log.info("signup %s", user.email)\n'
    '    requests.post("https://crm.example.com/leads", json={"email": user.email})\n'
)
_LINE = re.compile(r"^(?P<path>[^:\s]+):(?P<line>\d+):\d+: (?P<code>MIN\d+) ", re.M)


def _run(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    return subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def _codes(done: subprocess.CompletedProcess[str]) -> list[tuple[str, int]]:
    return [(m.group("code"), int(m.group("line"))) for m in _LINE.finditer(done.stdout)]


@pytest.fixture
def app(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("selection", "expected"),
    [
        (["--select", "MIN301,MIN401"], [("MIN301", 9), ("MIN401", 10)]),
        (["--select", "min301"], [("MIN301", 9)]),
        (["--select", "ALL"], [("MIN301", 9), ("MIN401", 10)]),
        (["--select", "MIN4"], [("MIN401", 10)]),
        (["--select", "MIN3", "--select", "MIN4", "--ignore", "min301"], [("MIN401", 10)]),
    ],
)
def test_selection_as_typed(app: Path, selection: list[str], expected: list[tuple[str, int]]) -> None:
    done = _run(app, MINIMISE, "scan", "--no-cache", "-q", *selection)
    assert done.returncode == 1, done.stderr
    assert _codes(done) == expected


def test_a_typo_in_the_selection_stops_the_gate(app: Path) -> None:
    typo = _run(app, MINIMISE, "scan", "--no-cache", "--select", "MIN999")
    assert typo.returncode == 2
    assert typo.stderr.splitlines() == [
        "minimise: error: --select: unknown rule code or prefix 'MIN999'; did you mean MIN902?"
    ]
    (app / "pyproject.toml").write_text('[tool.minimise]\nselect = ["MIN999"]\n', encoding="utf-8")
    configured = _run(app, MINIMISE, "scan", "--no-cache")
    assert configured.returncode == 2
    assert configured.stderr.splitlines() == [
        "minimise: error: pyproject.toml:2: select: unknown rule code or prefix 'MIN999'; did you mean MIN902?"
    ]


def test_markdown_and_html_paths_from_a_parent_folder_use_the_project_root(tmp_path: Path) -> None:
    project = tmp_path / "work" / "shop-project"
    shutil.copytree(SHOP, project)
    parent = project.parent
    markdown = _run(parent, MINIMISE, "scan", "--no-cache", "--format", "markdown", "shop-project")
    inside = _run(project, MINIMISE, "scan", "--no-cache", "--format", "markdown")
    assert markdown.stdout == inside.stdout
    assert "| shop/views.py:13:30 |" in markdown.stdout and "shop-project/" not in markdown.stdout
    # Counts are spelled as words are: "2 errors", "1 note".
    assert markdown.stdout.startswith("**minimise**: 8 findings (2 errors, 5 warnings, 1 note) in 3 files; ")
    html = _run(parent, MINIMISE, "scan", "--no-cache", "--format", "html", "shop-project").stdout
    assert set(re.findall(r'data-path="([^"]+)"', html)) == {"data-inventory.yaml", "shop/models.py", "shop/views.py"}


@pytest.mark.skipif(FLAKE8 is None, reason="flake8 not installed")
def test_flake8_from_a_parent_folder_reads_the_projects_rules_setting(tmp_path: Path) -> None:
    """A broken rule file named by the project's configuration: one line naming it, in flake8 as in scan."""
    assert FLAKE8 is not None
    project = tmp_path / "work" / "shop-project"
    shutil.copytree(SHOP, project)
    (project / "pyproject.toml").write_text('[tool.minimise]\nrules = ["privacy/rules.yaml"]\n', encoding="utf-8")
    (project / "privacy").mkdir()
    (project / "privacy" / "rules.yaml").write_text("sinks: [oops\n", encoding="utf-8")
    expected = [
        "minimise: error: shop-project/privacy/rules.yaml:2: invalid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    flake8 = _run(project.parent, FLAKE8, "--select=MIN", "shop-project/shop/views.py")
    scan = _run(project.parent, MINIMISE, "scan", "--no-cache", "shop-project/shop/views.py")
    assert (flake8.returncode, flake8.stderr.splitlines()) == (2, expected)
    assert (scan.returncode, scan.stderr.splitlines()) == (2, expected)
    assert flake8.stdout == ""


def test_sarif_and_json_agree_from_a_sub_folder_of_a_repository(app: Path) -> None:
    """Inside a git work tree without configuration, the project root is the work tree's top."""
    subprocess.run(["git", "init", "-q"], cwd=app, check=True)
    (app / "pkg").mkdir()
    (app / "app.py").rename(app / "pkg" / "app.py")
    sarif = json.loads(_run(app / "pkg", MINIMISE, "scan", "--no-cache", "--format", "sarif", ".").stdout)
    as_json = json.loads(_run(app / "pkg", MINIMISE, "scan", "--no-cache", "--format", "json", ".").stdout)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]]
    assert uris == [f["path"] for f in as_json["findings"]] == ["pkg/app.py", "pkg/app.py"]


COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "__pycache__", ".minimise_cache", "*_cache", "*.egg-info", ".hypothesis", "build", "dist"
)


@pytest.mark.slow
def test_readme_quick_start_sets_everything_up_in_a_fresh_virtualenv(tmp_path: Path) -> None:
    """The README's first command, verbatim, in a copy of the checkout without a virtualenv: it
    creates one, installs minimise into it (no system-wide pip install, which distribution
    Pythons refuse) and prints the report the README shows."""
    root = Path(__file__).resolve().parents[1]
    readme = (root / "README.md").read_text(encoding="utf-8")
    command = readme.split("Install it and scan the bundled example shop:\n\n```bash\n", 1)[1].split("\n```", 1)[0]
    assert command == ("python3 -m venv .venv && .venv/bin/pip install -q . && .venv/bin/minimise scan examples/shop")
    shown = readme.split("```text\n", 1)[1].split("```", 1)[0]
    checkout = tmp_path / "minimise"
    shutil.copytree(root, checkout, ignore=COPY_IGNORE)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR", "VIRTUAL_ENV", "PYTHONPATH")}
    env["NO_COLOR"] = "1"
    done = subprocess.run(["bash", "-c", command], cwd=checkout, capture_output=True, text=True, env=env, timeout=900)
    assert done.returncode == 1, done.stderr  # findings
    assert done.stdout == shown
