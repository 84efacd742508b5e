"""A scan of a few files links them with the rest of the project: the same files a full scan analyses."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from minimise.cli import cli

PROJECT = Path(__file__).parent / "fixtures" / "project"


def _scan(root: Path, cache: Path, *paths: str) -> dict[tuple[str, int, str, str], str]:
    out = cache.parent / "report.json"
    args = ["scan", *paths, "--no-inventory", "--cache-dir", str(cache), "--format", "json", "--data-points"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out)], catch_exceptions=False)
    assert result.exit_code in (0, 1), result.output
    points = json.loads(out.read_text())["data_points"]
    return {(p["path"], p["line"], p["action"], p["category"]): p["via"] for p in points}


def _indexed(cache: Path) -> set[str]:
    (index,) = cache.rglob("summaries-v1.json")
    return set(json.loads(index.read_text())["files"])


def test_the_project_context_of_a_partial_scan_leaves_test_code_out(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "project"
    shutil.copytree(PROJECT, root)
    (root / "pyproject.toml").write_text("[tool.minimise]\n", encoding="utf-8")
    tests = root / "tests"
    tests.mkdir()
    (tests / "test_views.py").write_text(
        "import logging\n\ndef test_audit(user):\n    logging.info(user.email)\n", encoding="utf-8"
    )
    monkeypatch.chdir(root)
    full = _scan(root, tmp_path / "full-cache", ".")
    chosen = "shopapp/web/views.py"
    partial = _scan(root, tmp_path / "partial-cache", chosen)
    assert partial == {k: v for k, v in full.items() if k[0] == chosen}
    assert partial
    indexed = _indexed(tmp_path / "partial-cache")
    # Every module of the application (the scanned one too), and no test module: a full scan leaves test code out too.
    assert indexed == {p.relative_to(root).as_posix() for p in (root / "shopapp").rglob("*.py")}
