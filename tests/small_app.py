"""A two-file project that logs one email address: the subject of the warm-scan tests."""

from __future__ import annotations

from pathlib import Path

APP = "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef welcome(user):\n    log.info(user.email)\n"


def small_app(tmp_path: Path) -> Path:
    """``tmp_path/app``: a configured project with ``views.py`` (MIN301 on line 7) and ``maths.py``."""
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.minimise]\n", encoding="utf-8")
    (project / "views.py").write_text(APP, encoding="utf-8")
    (project / "maths.py").write_text("def add(a, b):\n    return a + b\n", encoding="utf-8")
    return project
