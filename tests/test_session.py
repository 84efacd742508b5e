"""One scan session behind every front end: `scan`, `explain PATH:LINE` and flake8 agree, from any folder."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHOP = ROOT / "tests" / "fixtures" / "inventory" / "project"
BIN = Path(sys.executable).parent
MINIMISE = str(BIN / "minimise")
FLAKE8 = shutil.which("flake8", path=str(BIN))
_LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>MIN\d+) ")

pytestmark = pytest.mark.skipif(FLAKE8 is None, reason="flake8 not installed")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    return env


def _run(cwd: Path, *command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=cwd, capture_output=True, text=True, env=_env(), timeout=120)


def _verdicts(lines: str) -> dict[int, set[str]]:
    """line -> codes reported in views.py, from flake8-style output lines."""
    found: dict[int, set[str]] = {}
    for line in lines.splitlines():
        match = _LINE.match(line)
        if match and match.group("path").endswith("views.py"):
            found.setdefault(int(match.group("line")), set()).add(match.group("code"))
    return found


def _explain(cwd: Path, path: str, line: int) -> set[str]:
    done = _run(cwd, MINIMISE, "explain", f"{path}:{line}")
    assert done.returncode == 0, done.stderr
    return set(re.findall(r"finding: +(MIN\d+)", done.stdout))


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """The inventory fixture project, with a configuration that ignores one code and a noqa comment."""
    project = tmp_path / "work" / "shop-project"
    shutil.copytree(SHOP, project)
    (project / "pyproject.toml").write_text('[tool.minimise]\nignore = ["MIN501"]\n', encoding="utf-8")
    views = project / "shop" / "views.py"
    lines = views.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[15] = lines[15].rstrip("\n") + "  # noqa: MIN503\n"  # line 16: shared with sentry
    views.write_text("".join(lines), encoding="utf-8")
    return project


def test_scan_explain_and_flake8_give_the_same_verdict_from_a_parent_folder(shop: Path) -> None:
    parent = shop.parent
    rel = "shop-project/shop/views.py"
    scan = _run(parent, MINIMISE, "scan", "--no-cache", "-q", rel)
    assert scan.returncode == 1, scan.stderr
    flake8 = _run(parent, str(FLAKE8), "--select=MIN", rel)
    scan_verdicts = {line: codes for line, codes in _verdicts(scan.stdout).items()}
    # The inventory (MIN5xx), the configuration's ignore and the noqa comment all apply.
    assert scan_verdicts == {13: {"MIN502"}, 15: {"MIN503"}}
    assert _verdicts(flake8.stdout) == scan_verdicts
    for line in (13, 14, 15, 16, 17):
        assert _explain(parent, rel, line) == scan_verdicts.get(line, set()), line


def test_same_verdict_from_inside_the_project(shop: Path) -> None:
    scan = _run(shop, MINIMISE, "scan", "--no-cache", "-q", "shop/views.py")
    flake8 = _run(shop, str(FLAKE8), "--select=MIN", "shop/views.py")
    assert _verdicts(scan.stdout) == _verdicts(flake8.stdout) == {13: {"MIN502"}, 15: {"MIN503"}}
    assert _explain(shop, "shop/views.py", 13) == {"MIN502"}


def test_paths_from_a_parent_folder_in_every_format(shop: Path) -> None:
    parent = shop.parent
    text = _run(parent, MINIMISE, "scan", "--no-cache", "-q", "shop-project")
    shown = {m.group("path") for m in map(_LINE.match, text.stdout.splitlines()) if m}
    assert shown == {"shop-project/data-inventory.yaml", "shop-project/shop/models.py", "shop-project/shop/views.py"}
    for path in shown:  # each opens from where the user stands
        assert (parent / path).is_file()
    as_json = json.loads(_run(parent, MINIMISE, "scan", "--no-cache", "--format", "json", "shop-project").stdout)
    from_inside = json.loads(_run(shop, MINIMISE, "scan", "--no-cache", "--format", "json").stdout)
    # JSON paths and fingerprints are relative to the project root, wherever the scan starts.
    assert {f["path"] for f in as_json["findings"]} == {"data-inventory.yaml", "shop/models.py", "shop/views.py"}
    assert [(f["path"], f["fingerprint"]) for f in as_json["findings"]] == [
        (f["path"], f["fingerprint"]) for f in from_inside["findings"]
    ]
    sarif = json.loads(_run(parent, MINIMISE, "scan", "--no-cache", "--format", "sarif", "shop-project").stdout)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]}
    assert uris == {"data-inventory.yaml", "shop/models.py", "shop/views.py"}
    assert {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"] for r in sarif["runs"][0]["results"]
    } == {"%SRCROOT%"}


def test_baseline_made_in_the_project_matches_a_scan_from_its_parent(shop: Path) -> None:
    made = _run(shop, MINIMISE, "baseline", "create", "--no-cache", "-o", "baseline.json")
    assert made.returncode == 0, made.stderr
    again = _run(
        shop.parent, MINIMISE, "scan", "--no-cache", "--baseline", "shop-project/baseline.json", "shop-project"
    )
    assert again.returncode == 0, again.stdout + again.stderr
    assert "0 findings" in again.stdout


def test_flake8_broken_inventory_is_one_line(shop: Path) -> None:
    (shop / "data-inventory.yaml").write_text("version: 1\ndata:\n  - id: [broken\n", encoding="utf-8")
    done = _run(shop.parent, str(FLAKE8), "--select=MIN", "shop-project/shop/views.py")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("minimise: error: data-inventory.yaml:4:1: invalid YAML")
    assert "Traceback" not in done.stdout + done.stderr


@pytest.mark.parametrize(
    ("setup_cfg", "needle"),
    [
        ("[flake8]\nminimise-rules = missing-rules.yaml\n", "missing-rules.yaml"),
        ("[flake8]\nminimise-inventory = nowhere.yaml\n", "nowhere.yaml"),
    ],
)
def test_flake8_bad_settings_are_one_line(shop: Path, setup_cfg: str, needle: str) -> None:
    (shop / "setup.cfg").write_text(setup_cfg, encoding="utf-8")
    done = _run(shop, str(FLAKE8), "--select=MIN", "shop/views.py")
    assert done.returncode == 2, done.stdout + done.stderr
    [line] = done.stderr.splitlines()
    assert line.startswith("minimise: error: ") and needle in line


def test_flake8_broken_configuration_is_one_line(shop: Path) -> None:
    (shop / "pyproject.toml").write_text('[tool.minimise]\nselect = ["MIN999"]\n', encoding="utf-8")
    done = _run(shop, str(FLAKE8), "--select=MIN", "shop/views.py")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "minimise: error: pyproject.toml:2: select: unknown rule code or prefix 'MIN999'; did you mean MIN902?"
    ]


def test_flake8_plugin_does_nothing_when_min_is_not_selected(shop: Path) -> None:
    """With MIN left out of flake8's selection, not even libcst is imported (python -X importtime)."""
    (shop / "data-inventory.yaml").write_text("not: [valid\n", encoding="utf-8")  # never read
    command = [sys.executable, "-X", "importtime", "-m", "flake8", "--select=E9", "shop/views.py"]
    done = _run(shop, *command)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "libcst" not in done.stderr and "minimise.session" not in done.stderr
    selected = _run(shop, sys.executable, "-X", "importtime", "-m", "flake8", "--select=E9,MIN", "shop/views.py")
    assert selected.returncode == 2 and "minimise: error:" in selected.stderr


def test_flake8_reports_flows_across_modules_like_scan(tmp_path: Path) -> None:
    """Data reaching a file through the project's other modules: flake8 gets the project-wide verdict."""
    project = tmp_path / "project"
    shutil.copytree(ROOT / "tests" / "fixtures" / "project", project)
    (project / "pyproject.toml").write_text('[project]\nname = "shopapp"\n\n[tool.minimise]\n', encoding="utf-8")
    scan = _run(project, MINIMISE, "scan", "--no-cache", "-q", ".")
    flake8 = _run(project, str(FLAKE8), "--select=MIN", ".")
    scan_lines = sorted(line for line in scan.stdout.splitlines() if _LINE.match(line))
    flake8_lines = sorted(line.removeprefix("./") for line in flake8.stdout.splitlines())
    assert (
        "shopapp/services/accounts.py:12:14: MIN401 Email address (user.contact.email) sent to requests: `email`"
        in (scan_lines)
    )
    assert flake8_lines == scan_lines
    # One file, checked alone, still gets the verdict of the whole project.
    one = _run(project, str(FLAKE8), "--select=MIN", "shopapp/services/accounts.py")
    assert one.stdout.splitlines() == [line for line in scan_lines if line.startswith("shopapp/services/accounts.py")]


def test_a_file_outside_any_project_is_linked_only_with_what_is_named(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from minimise.cli import cli

    folder = tmp_path / "loose"
    folder.mkdir()
    (folder / "mailer.py").write_text(
        "import smtplib\n\n\ndef deliver(to, body):\n    smtplib.SMTP('mail').sendmail('a@b.example', [to], body)\n"
    )
    (folder / "signup.py").write_text(
        "from mailer import deliver\n\n\ndef welcome(user):\n    deliver(user.email, 'hi')\n"
    )

    def share_lines() -> list[tuple[str, int]]:
        out = tmp_path / "report.json"
        args = ["scan", str(folder / "signup.py"), "--no-inventory", "--no-cache", "--format", "json", "-o", str(out)]
        CliRunner().invoke(cli, args)
        return [(f["path"], f["line"]) for f in json.loads(out.read_text())["findings"]]

    # No configuration, git or inventory marks the folder as a project: nothing else in it is read.
    assert share_lines() == []
    (folder / ".git").mkdir()
    assert share_lines() == [("signup.py", 5)]
