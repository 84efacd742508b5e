"""The baselines' own virtualenv: bandit, flake8 and libcst, without minimise or its flake8 plugin.

Made once with the standard ``venv`` module and pip, in ``$XDG_CACHE_HOME/minimise-bench`` (else
``~/.cache/minimise-bench``) under a name carrying the Python and libcst versions, and reused by
later runs; ``--peers DIR`` puts it elsewhere, ``--fresh-peers`` rebuilds it.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path


class PeersError(Exception):
    """The baselines' virtualenv could not be made or is not clean (one line)."""


@dataclass
class Peers:
    root: Path
    versions: dict[str, str] = field(default_factory=dict)

    @property
    def python(self) -> str:
        return str(self.root / "bin" / "python")

    def tool(self, name: str) -> str:
        return str(self.root / "bin" / name)


def default_location() -> Path:
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "minimise-bench" / f"peers-py{platform.python_version()}-libcst{version('libcst')}"


def _pip_versions(python: str) -> dict[str, str]:
    script = (
        "from importlib.metadata import version\n"
        "for n in ('bandit', 'flake8', 'libcst', 'pycodestyle', 'pyflakes', 'mccabe'):\n"
        "    print(n, version(n))\n"
    )
    out = subprocess.run([python, "-c", script], capture_output=True, text=True, check=True).stdout
    return dict(line.split(" ", 1) for line in out.splitlines())


def ensure_peers(location: Path | None, fresh: bool, say) -> Peers:
    root = location or default_location()
    if fresh and root.exists():
        shutil.rmtree(root)
    python = root / "bin" / "python"
    if not python.exists():
        say(f"making the baselines' virtualenv in {root} (bandit, flake8, libcst=={version('libcst')})")
        try:
            subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, capture_output=True)
            subprocess.run(
                [str(python), "-m", "pip", "install", "-q", "bandit", "flake8", f"libcst=={version('libcst')}"],
                check=True,
                capture_output=True,
            )
        except subprocess.CalledProcessError as exc:
            shutil.rmtree(root, ignore_errors=True)
            tail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-1:] or [str(exc)]
            raise PeersError(f"{root}: cannot make the baselines' virtualenv: {tail[0]}") from None
    peers = Peers(root)
    # The point of this venv: flake8 and friends as a user without minimise has them.
    found = subprocess.run(
        [peers.python, "-c", "import importlib.util as u; print(u.find_spec('minimise') is not None)"],
        capture_output=True,
        text=True,
    ).stdout.strip()
    listed = subprocess.run([peers.tool("flake8"), "--version"], capture_output=True, text=True).stdout
    if found != "False" or "minimise" in listed:
        raise PeersError(f"{root}: minimise is installed in the baselines' virtualenv; remove it or use --fresh-peers")
    try:
        peers.versions = _pip_versions(peers.python)
    except subprocess.CalledProcessError:
        raise PeersError(f"{root}: bandit, flake8 or libcst is missing; use --fresh-peers") from None
    return peers
