"""The SARIF, HTML and Markdown reports: schema validity, exact contents, escaping, a real browser."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from minimise.cli import cli
from minimise.knowledge import load_knowledge
from minimise.model import Finding, Report, ScanError
from minimise.report import RENDERERS, render
from minimise.ruledocs import all_checks
from minimise.scan import ScanOptions, scan

SCHEMA_PATH = Path(__file__).parent / "schemas" / "sarif-schema-2.1.0.json"
SCHEMA_SHA256 = "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"

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
    knowledge = load_knowledge()
    return str(getattr(knowledge, "label_of", knowledge.taxonomy.label)(category))


def scan_repo(root: Path) -> Report:
    return scan(ScanOptions(paths=[root], root=root, jobs=1, cache_dir=None))


def rendered(report: Report, fmt: str, **options: object) -> str:
    buffer = io.StringIO()
    render(report, fmt, buffer, **options)
    return buffer.getvalue()


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


@pytest.fixture
def hostile_repo(tmp_path: Path) -> Path:
    root = tmp_path / "hostile"
    (root / HOSTILE_DIR).mkdir(parents=True)
    (root / HOSTILE_DIR / HOSTILE_FILE).write_text(HOSTILE, encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, object]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate_sarif(document: dict[str, object], schema: dict[str, object]) -> None:
    validator = jsonschema.Draft4Validator(schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors[:10])


# --- registration ---------------------------------------------------------------------------


def test_formats_are_registered() -> None:
    assert {"text", "json", "sarif", "html", "markdown"} <= set(RENDERERS)


def test_schema_copy_is_the_published_file() -> None:
    assert hashlib.sha256(SCHEMA_PATH.read_bytes()).hexdigest() == SCHEMA_SHA256


# --- SARIF ----------------------------------------------------------------------------------


def test_sarif_is_valid_and_exact(app_repo: Path, sarif_schema: dict[str, object]) -> None:
    text = rendered(scan_repo(app_repo), "sarif")
    document = json.loads(text)
    validate_sarif(document, sarif_schema)
    assert document["version"] == "2.1.0"
    (run,) = document["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "minimise"
    from minimise import __version__

    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    checks = all_checks()
    assert [r["id"] for r in driver["rules"]] == sorted(checks)
    for rule in driver["rules"]:
        check = checks[rule["id"]]
        assert rule["name"] == check.name
        assert rule["shortDescription"]["text"] == check.summary.strip()
        assert rule["helpUri"] == f"https://github.com/minimise/minimise/blob/main/docs/rules/{check.code}.md"
        assert rule["defaultConfiguration"]["level"] == check.severity
        assert check.fix.split()[0] in rule["help"]["text"] and "## How to fix" in rule["help"]["markdown"]
        assert "privacy" in rule["properties"]["tags"]

    got = [
        (
            r["ruleId"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
            r["locations"][0]["physicalLocation"]["region"]["startColumn"],
        )
        for r in run["results"]
    ]
    assert got == [
        ("MIN301", "warning", "app.py", "%SRCROOT%", 9, 35),
        ("MIN402", "error", "app.py", "%SRCROOT%", 11, 63),
    ]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert len(result["partialFingerprints"]["minimiseFingerprint/v1"]) == 20
    assert run["results"][0]["message"]["text"] == (
        f"{label('user.contact.email')} (user.contact.email) logged via logging: `email`"
    )
    assert run["results"][0]["properties"] == {
        "category": "user.contact.email",
        "action": "log",
        "sensitivity": "medium",
        "identifier": "email",
    }
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(os.path.abspath(app_repo)).as_uri() + "/"
    assert run["invocations"] == [{"executionSuccessful": True, "toolExecutionNotifications": []}]
    assert "alice@example.com" not in text
    # Deterministic: the same scan gives the same bytes.
    assert rendered(scan_repo(app_repo), "sarif") == text


def test_sarif_reports_unanalysed_files_and_escapes_uris(tmp_path: Path, sarif_schema: dict[str, object]) -> None:
    root = tmp_path / "repo"
    (root / "my dir").mkdir(parents=True)
    (root / "my dir" / "app#1.py").write_text(APP, encoding="utf-8")
    (root / "broken.py").write_text("def (:\n    user.email\n", encoding="utf-8")
    document = json.loads(rendered(scan_repo(root), "sarif"))
    validate_sarif(document, sarif_schema)
    (run,) = document["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    assert uris == {"my%20dir/app%231.py"}
    (invocation,) = run["invocations"]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["message"]["text"].startswith("broken.py: not analysed: cannot parse")
    location = note["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "broken.py", "uriBaseId": "%SRCROOT%"}


def test_sarif_paths_are_relative_to_the_repository_root(tmp_path: Path, sarif_schema: dict[str, object]) -> None:
    repo = tmp_path / "project"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    (repo / "src" / "app.py").write_text(APP, encoding="utf-8")
    document = json.loads(rendered(scan_repo(repo / "src"), "sarif"))
    validate_sarif(document, sarif_schema)
    (run,) = document["runs"]
    assert {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]} == {"src/app.py"}
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == Path(os.path.abspath(repo)).as_uri() + "/"


def test_sarif_adds_a_rule_for_a_code_outside_the_shipped_checks(
    tmp_path: Path, sarif_schema: dict[str, object]
) -> None:
    finding = Finding(
        code="MIN599",
        name="custom-policy",
        severity="note",
        path="a.py",
        line=3,
        column=1,
        category="user.contact.email",
        action="store",
        message="custom",
        fingerprint="f" * 20,
    )
    document = json.loads(rendered(Report(root=str(tmp_path), findings=[finding]), "sarif"))
    validate_sarif(document, sarif_schema)
    (run,) = document["runs"]
    (result,) = run["results"]
    assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == "MIN599"
    assert result["level"] == "note"


# --- HTML -----------------------------------------------------------------------------------


class _Elements(HTMLParser):
    """Collects every element's tag and attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))


def elements(text: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(text)
    return parser.elements


def finding_rows(text: str) -> list[tuple[str | None, str | None, str | None]]:
    return [
        (a.get("data-code"), a.get("data-path"), a.get("data-line"))
        for tag, a in elements(text)
        if tag == "tr" and "finding" in (a.get("class") or "").split()
    ]


EXPECTED_ROWS = [
    ("MIN301", HOSTILE_PATH, "7"),
    ("MIN301", HOSTILE_PATH, "8"),
    ("MIN301", "app.py", "9"),
    ("MIN402", "app.py", "11"),
]


def test_html_escapes_everything_from_the_analysed_code(hostile_repo: Path) -> None:
    report = scan_repo(hostile_repo)
    assert {f.path for f in report.findings} == {HOSTILE_PATH, "app.py"}
    text = rendered(report, "html")
    # The report has no script of its own: any "<script" or "<img" would come from the code.
    assert "<script" not in text.lower()
    assert "<img" not in text.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.py" in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text  # the excerpt, escaped
    assert "&lt;img src=x onerror=alert(3)&gt;" in text
    assert "alice@example.com" not in text and "[email]" in text  # masked in the excerpt
    assert finding_rows(text) == EXPECTED_ROWS
    assert {tag for tag, _ in elements(text)} <= {
        "html",
        "head",
        "meta",
        "title",
        "style",
        "body",
        "main",
        "header",
        "h1",
        "h2",
        "h3",
        "p",
        "nav",
        "a",
        "section",
        "div",
        "span",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "code",
        "pre",
        "ul",
        "li",
        "footer",
    }


def test_html_is_self_contained(app_repo: Path) -> None:
    text = rendered(scan_repo(app_repo), "html")
    for tag, attrs in elements(text):
        assert tag not in ("script", "link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith("#") or href.startswith("https://github.com/minimise/minimise/"), href
    assert "@import" not in text and "url(" not in text
    assert "Content-Security-Policy" in text
    assert rendered(scan_repo(app_repo), "html") == text  # deterministic


def test_html_summary_data_map_and_excerpts(app_repo: Path) -> None:
    text = rendered(scan_repo(app_repo), "html")
    assert '<span id="headline">2 findings (1 error, 1 warning) and 2 data points in 1 file</span>' in text
    assert '<tr><td><span class="badge sev-error">error</span></td><td class="num">1</td></tr>' in text
    assert '<tr><td>log</td><td class="num">1</td><td class="num">1</td></tr>' in text
    assert '<tr><td>share</td><td class="num">1</td><td class="num">1</td></tr>' in text
    # Data map: the logged email links to its finding.
    assert '<a href="#f-1"><span class="loc">app.py:9</span></a> <span class="muted">via logging' in text
    assert "<td>Shared with</td>" in text and '<a href="#f-2"><span class="loc">app.py:11</span></a>' in text
    # Excerpt: the finding line is highlighted, with two lines of context each side.
    assert (
        '<span class="l hit"><span class="ln">9</span>    logger.info(&quot;signup %s&quot;, user.email)</span>'
    ) in text
    assert '<span class="ln">7</span>' in text and '<span class="ln">11</span>' in text
    assert "No data inventory was declared" in text and "<code>minimise inventory init</code>" in text


def test_html_declared_vs_observed_inventory(app_repo: Path) -> None:
    inventory = {
        "system": "shop <b>",
        "items": [{"id": "email", "category": "user.contact.email"}, {"id": "ssn", "category": "user.government_id"}],
    }
    text = rendered(scan_repo(app_repo), "html", inventory=inventory)
    assert "No data inventory was declared" not in text
    rows = text.split('<table id="inventory-comparison">', 1)[1].split("</table>", 1)[0]
    assert 'user.contact.email</code></div></td><td class="num">1</td><td><span class="status-ok">' in rows
    assert (
        'user.contact.phone_number</code></div></td><td class="num">1</td>'
        '<td><span class="status-missing">observed, not declared'
    ) in rows
    assert 'user.government_id</code></div></td><td class="num">0</td>' in rows
    assert "shop &lt;b&gt;" in text and "shop <b>" not in text


def test_html_tolerates_unreadable_source(tmp_path: Path) -> None:
    finding = Finding(
        code="MIN301",
        name="personal-data-logged",
        severity="warning",
        path="gone/<x>.py",
        line=4,
        column=2,
        category="user.contact.email",
        action="log",
        message="logged: `email`",
        fingerprint="0" * 20,
    )
    report = Report(root=str(tmp_path), findings=[finding], errors=[ScanError("bad.py", 0, "cannot read: denied")])
    text = rendered(report, "html")
    assert "Source not available for gone/&lt;x&gt;.py:4." in text
    assert '<section id="errors">' in text and "cannot read: denied" in text


def _browser() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


def _run_browser(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser,
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


def test_html_in_a_headless_browser(hostile_repo: Path, tmp_path: Path) -> None:
    browser = _browser()
    if browser is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI is set: install it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (install it with `apt-get install -y chromium`); not on CI")
    page = tmp_path / "report.html"
    page.write_text(rendered(scan_repo(hostile_repo), "html"), encoding="utf-8")
    url = page.resolve().as_uri()

    dump = _run_browser(browser, tmp_path / "profile-dom", "--dump-dom", url)
    assert dump.returncode == 0, dump.stderr[-2000:]
    dom = dump.stdout
    assert "<h1>Privacy report</h1>" in dom
    assert finding_rows(dom) == EXPECTED_ROWS
    tags = [tag for tag, _ in elements(dom)]
    assert "script" not in tags and "img" not in tags
    assert all(not name.startswith("on") for _, attrs in elements(dom) for name in attrs)
    assert HOSTILE_PATH.replace("<", "&lt;").replace(">", "&gt;") in dom

    shot = tmp_path / "shot.png"
    result = _run_browser(browser, tmp_path / "profile-shot", f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page compresses to a few kilobytes


# --- Markdown -------------------------------------------------------------------------------


def test_markdown_exact_rows(app_repo: Path) -> None:
    text = rendered(scan_repo(app_repo), "markdown")
    assert text.splitlines() == [
        "**minimise**: 2 findings (1 error, 1 warning) in 1 file; 2 data points (0 collect, 0 store, 1 log, 1 share).",
        "",
        "| Code | Severity | Location | Message |",
        "|---|---|---|---|",
        f"| MIN301 | warning | app.py:9:35 | {label('user.contact.email')} (user.contact.email) logged via logging: "
        "\\`email\\` |",
        f"| MIN402 | error | app.py:11:63 | {label('user.contact.phone_number')} (user.contact.phone\\_number) in the "
        "URL of a request via requests: \\`phone\\_number\\` |",
        "",
        "| Category | collect | store | log | share | Findings |",
        "|---|---:|---:|---:|---:|---:|",
        "| user.contact.email | 0 | 0 | 1 | 0 | 1 |",
        "| user.contact.phone\\_number | 0 | 0 | 0 | 1 | 1 |",
    ]


def test_markdown_caps_rows_and_escapes_cells(tmp_path: Path) -> None:
    findings = [
        Finding(
            code="MIN301",
            name="personal-data-logged",
            severity="warning",
            path=f"a|b`{n}.py",
            line=n,
            column=1,
            category="user.contact.email",
            action="log",
            message="x | y `z` <b>bob@example.com</b>",
            fingerprint=str(n) * 20,
        )
        for n in range(1, 4)
    ]
    text = rendered(Report(root=str(tmp_path), findings=findings, files_scanned=3), "markdown", max_rows=2)
    lines = text.splitlines()
    assert lines[4] == "| MIN301 | warning | a\\|b\\`1.py:1:1 | x \\| y \\`z\\` \\<b\\>\\[email\\]\\</b\\> |"
    assert lines[6] == ""
    assert lines[7] == "+1 more finding not shown; see the full report (`minimise scan --format html`)."
    assert sum(1 for line in lines if line.startswith("| MIN301")) == 2


def test_markdown_without_findings(tmp_path: Path) -> None:
    text = rendered(Report(root=str(tmp_path), files_scanned=1), "markdown")
    assert text == (
        "**minimise**: 0 findings in 1 file; 0 data points (0 collect, 0 store, 0 log, 0 share).\n\nNo findings.\n"
    )


# --- CLI ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["sarif", "html", "markdown"])
def test_scan_cli_writes_each_format(app_repo: Path, tmp_path: Path, fmt: str, sarif_schema: dict[str, object]) -> None:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(cli, ["scan", str(app_repo), "--no-cache", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 1, result.output  # findings
    text = out.read_text(encoding="utf-8")
    if fmt == "sarif":
        document = json.loads(text)
        validate_sarif(document, sarif_schema)
        assert [r["ruleId"] for r in document["runs"][0]["results"]] == ["MIN301", "MIN402"]
    elif fmt == "html":
        assert text.startswith("<!DOCTYPE html>")
        assert [row[0] for row in finding_rows(text)] == ["MIN301", "MIN402"]
    else:
        assert text.startswith("**minimise**: 2 findings")
        assert "| MIN402 | error | app.py:11:63 |" in text


def test_scan_cli_rejects_an_unknown_format(app_repo: Path) -> None:
    result = CliRunner().invoke(cli, ["scan", str(app_repo), "--no-cache", "--format", "pdf"])
    assert result.exit_code == 2
