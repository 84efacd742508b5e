"""The built wheel carries the rules and taxonomy: install it into a fresh venv and scan elsewhere."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_installs_and_scans_outside_the_repo(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(ROOT)],
        check=True,
        capture_output=True,
    )
    [wheel] = dist.glob("minimise-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "minimise/rules/personal_data.yaml" in names
    assert {"minimise/rules/frameworks.yaml", "minimise/rules/schema/frameworks.schema.json"} <= set(names)
    assert "minimise/data/taxonomy/fideslang.json" in names
    assert "minimise/data/taxonomy/ATTRIBUTION.md" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", str(wheel)], check=True, capture_output=True)

    project = tmp_path / "elsewhere"
    project.mkdir()
    (project / "app.py").write_text(
        "import logging\nlog = logging.getLogger(__name__)\n\ndef f(user):\n    log.info('%s', user.email)\n"
    )
    result = subprocess.run(
        [str(venv / "bin" / "minimise"), "scan", str(project), "--format", "json", "--no-cache"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert [(f["code"], f["path"], f["line"]) for f in report["findings"]] == [("MIN301", "app.py", 5)]
