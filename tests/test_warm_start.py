"""A re-scan of unchanged files is answered from the cache: no parser, no analysis, no worker pool loaded."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from small_app import small_app

HEAVY = ("libcst", "minimise.analysis.evaluate", "multiprocessing", "minimise.workers", "minimise.shards")


def _scan(project: Path, cache: Path, report: Path) -> list[str]:
    code = (
        "import sys\nfrom minimise.cli import cli\n"
        f"try:\n    cli.main(['scan', '.', '--format', 'json', '-o', {str(report)!r}], standalone_mode=False)\n"
        "except SystemExit:\n    pass\n"
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    done = subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    loaded = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""
    return [m for m in loaded.split(",") if m]


def test_a_warm_rescan_loads_neither_the_parser_nor_the_worker_pool(tmp_path: Path) -> None:
    project = small_app(tmp_path)
    cache = tmp_path / "cache"
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    cold = _scan(project, cache, first)
    assert "multiprocessing" in cold  # the cold run analysed views.py in a worker
    assert _scan(project, cache, second) == []
    findings = json.loads(second.read_text())["findings"]
    assert findings == json.loads(first.read_text())["findings"]
    assert [(f["code"], f["path"], f["line"]) for f in findings] == [("MIN301", "views.py", 7)]
