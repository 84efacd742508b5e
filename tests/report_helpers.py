"""What the report tests share: sample code, scanning, rendering, HTML parsing, SARIF schema, Chromium."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema

from minimise.knowledge import load_knowledge
from minimise.model import Report
from minimise.report import render
from minimise.scan import ScanOptions, scan

SCHEMA_PATH = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"

APP = """\
import logging

import requests

logger = logging.getLogger(__name__)


def signup(user):
    logger.info("signup %s", user.email)
    contact = "alice@example.com"
    requests.get(f"https://api.example.com/lookup?phone={user.phone_number}")
    return contact
"""

# The directory "<script>alert(1)<" holding "script>.py" gives the report path
# "<script>alert(1)</script>.py": a file name cannot hold "/" itself.
HOSTILE_DIR = "<script>alert(1)<"
HOSTILE_FILE = "script>.py"
HOSTILE_PATH = "<script>alert(1)</script>.py"
HOSTILE = """\
import logging

log = logging.getLogger("<script>alert('x')</script>")


def handler(user):
    log.warning("<script>alert(2)</script> %s", user.email)
    print("<img src=x onerror=alert(3)>", user.date_of_birth)
"""


def label(category: str) -> str:
    """The label messages use (labels are data, so tests do not spell them out)."""
    return str(load_knowledge().label_of(category))


def scan_repo(root: Path) -> Report:
    return scan(ScanOptions(paths=[root], root=root, jobs=1, cache_dir=None))


def rendered(report: Report, fmt: str, **options: object) -> str:
    buffer = io.StringIO()
    render(report, fmt, buffer, **options)
    return buffer.getvalue()


def sarif_schema() -> dict[str, object]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def validate_sarif(document: dict[str, object], schema: dict[str, object]) -> None:
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


class _Elements(HTMLParser):
    """Collects every element's tag and attributes, and the text of script elements."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data


def parse(text: str) -> _Elements:
    parser = _Elements()
    parser.feed(text)
    return parser


def elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    return parse(text).elements


def articles(text: str) -> list[dict[str, str | None]]:
    """The attributes of every finding, in page order."""
    return [a for tag, a in elements(text) if tag == "article" and "finding" in (a.get("class") or "").split()]


def finding_rows(text: str) -> list[tuple[str | None, str | None, str | None]]:
    return [(a.get("data-code"), a.get("data-path"), a.get("data-line")) for a in articles(text)]


def visible(text: str) -> list[tuple[str | None, str | None, str | None]]:
    """The findings a browser shows: those without the `hidden` attribute."""
    return [(a.get("data-code"), a.get("data-path"), a.get("data-line")) for a in articles(text) if "hidden" not in a]


def browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def run_browser(executable: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        executable,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    env = {**os.environ, "HOME": str(profile)}
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, check=False)


def git(root: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.org",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env=env, check=True)
    return done.stdout.strip()


def git_repo(root: Path, branch: str = "main") -> str:
    """Make ``root`` a repository with one commit of everything in it; the commit's id."""
    git(root, "init", "-q", "-b", branch)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return git(root, "rev-parse", "HEAD")
