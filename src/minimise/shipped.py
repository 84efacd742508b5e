"""Where minimise's own files are: its package folder and the rules it ships."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).parent


def rules_dir() -> Path:
    """The shipped rules: inside the wheel, or the repository's top-level rules/ in a checkout."""
    packaged = PACKAGE / "rules"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "rules"


def shipped_files() -> list[str]:
    """minimise's own files, code and data (no bytecode), and its rules wherever they are."""
    found: list[str] = []
    folders = [str(PACKAGE.absolute())]
    rules = str(rules_dir().absolute())
    if not rules.startswith(folders[0] + os.sep):
        folders.append(rules)
    for top in folders:
        for folder, subfolders, files in os.walk(top):
            subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
            found.extend(os.path.join(folder, name) for name in sorted(files) if not name.endswith((".pyc", ".pyo")))
    return found
