"""Building real git repositories for the trust tests, with programs planted by a hostile author."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

LEAK = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)
CLEAN = "def add(a, b):\n    return a + b\n"


def git(cwd: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout


def init_repo(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def marker_program(folder: Path, name: str, marker: Path, passthrough: bool = True) -> Path:
    """A shell script that records it ran in ``marker`` (and copies stdin to stdout)."""
    script = folder / name
    body = f"#!/bin/sh\necho ran >> '{marker}'\n" + ("cat\n" if passthrough else "")
    script.write_text(body, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return script
