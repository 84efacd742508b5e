"""Helpers for the robustness suite: run `minimise scan` and read its JSON report."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

LOG_EMAIL = "import logging\nlogger = logging.getLogger(__name__)\ndef f(user):\n    logger.info(user.email)\n"


class Scan:
    def __init__(self, code: int, data: dict | None, stdout: str, stderr: str, exception: BaseException | None = None):
        self.code, self.data, self.stdout, self.stderr, self.exception = code, data, stdout, stderr, exception

    @property
    def errors(self) -> dict[str, tuple[int, str]]:
        assert self.data is not None
        return {e["path"]: (e["line"], e["message"]) for e in self.data["errors"]}

    def points(self, path: str) -> list[tuple[int, int, str]]:
        assert self.data is not None
        return [(p["line"], p["column"], p["action"]) for p in self.data["data_points"] if p["path"] == path]

    def codes(self, path: str) -> list[tuple[str, int]]:
        assert self.data is not None
        return [(f["code"], f["line"]) for f in self.data["findings"] if f["path"] == path]


def _parse(stdout: str) -> dict | None:
    try:
        return json.loads(stdout)
    except ValueError:
        return None


@pytest.fixture
def cli_scan():
    """In process through click's CliRunner (monkeypatches apply); JSON report, one job, no cache."""

    def run(root: Path, *args: str, cache: bool = False) -> Scan:
        from minimise.cli import cli

        extra = [] if cache else ["--no-cache"]
        runner = CliRunner()
        result = runner.invoke(
            cli, ["scan", str(root), "--format", "json", "-j1", *extra, *args], catch_exceptions=True
        )  # noqa: E501
        stderr = result.stderr if hasattr(result, "stderr") else ""
        return Scan(result.exit_code, _parse(result.stdout), result.stdout, stderr, result.exception)

    return run


@pytest.fixture
def proc_scan():
    """As a real process: exit code, stdout and stderr exactly as a user sees them."""

    def run(root: Path | None, *args: str, cwd: Path | None = None, fmt: str = "json", timeout: float = 60) -> Scan:
        command = [sys.executable, "-m", "minimise", "scan"]
        if root is not None:
            command.append(str(root))
        command += ["--format", fmt, *args]
        env = {k: v for k, v in os.environ.items() if k != "MINIMISE_STRICT"}
        done = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=timeout, env=env)
        return Scan(done.returncode, _parse(done.stdout) if fmt == "json" else None, done.stdout, done.stderr)

    return run


def assert_clean_stderr(stderr: str) -> None:
    """No traceback, and every line minimise printed is a single message."""
    assert "Traceback" not in stderr
    for line in stderr.splitlines():
        assert line.startswith("minimise: ") or not line.strip(), line
