"""Rule documentation in reports: embedded by default, linked only where `docs-url` says the team publishes it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from minimise.ruledocs import all_checks, render_rule_body, rule_url

LEAKY = (
    "import logging\n\nlog = logging.getLogger(__name__)\n\n\n"
    'def signup(user):\n    log.info("signup %s", user.email)\n'
)
MINIMISE = str(Path(sys.executable).parent / "minimise")
ROOT = Path(__file__).resolve().parents[1]
# The one address every rule page links to: the CWE entries it cites (a public site).
CWE_LINK = re.compile(r"^https://cwe\.mitre\.org/data/definitions/\d+\.html$")


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    return subprocess.run([MINIMISE, *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "app.py").write_text(LEAKY, encoding="utf-8")
    return tmp_path


def _links(html: str) -> set[str]:
    return set(re.findall(r'href="(https?://[^"]+)"', html))


def test_rule_url_needs_a_configured_site() -> None:
    assert rule_url("MIN301", None) == ""
    assert rule_url("MIN301", "") == ""
    assert rule_url("MIN301", "https://git.example.org/privacy/docs/rules/") == (
        "https://git.example.org/privacy/docs/rules/MIN301.md"
    )
    assert rule_url("MIN301", "https://wiki.example.org/minimise/{code}.html") == (
        "https://wiki.example.org/minimise/MIN301.html"
    )


def test_sarif_and_html_embed_the_docs_without_docs_url(project: Path) -> None:
    sarif = _run(project, "scan", "--no-cache", "--format", "sarif")
    assert sarif.returncode == 1, sarif.stderr
    driver = json.loads(sarif.stdout)["runs"][0]["tool"]["driver"]
    assert "informationUri" not in driver
    min301 = next(rule for rule in driver["rules"] if rule["id"] == "MIN301")
    assert "helpUri" not in min301
    assert min301["help"]["markdown"] == render_rule_body(all_checks()["MIN301"])
    # Addresses left: the schema, the CWE entries, and api.example.com in the rules' code examples.
    uris = set(re.findall(r"https?://[^\s\"'`)\\]+", sarif.stdout))
    assert "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json" in uris
    others = {u for u in uris if "oasis-open.org" not in u and not u.startswith("https://api.example.com/")}
    assert others and all(CWE_LINK.match(uri) for uri in others), others

    html = _run(project, "scan", "--no-cache", "--format", "html")
    assert html.returncode == 1, html.stderr
    assert all(CWE_LINK.match(link) for link in _links(html.stdout)), _links(html.stdout)
    assert "Full documentation of" not in html.stdout
    # Every rule's documentation is inline in the rules table.
    row = html.stdout.split('<tr id="rule-MIN403">', 1)[1].split("</tr>", 1)[0]
    assert "<h4>What it finds</h4>" in row and "<h4>Example</h4>" in row and "<h4>How to suppress</h4>" in row


def test_configured_docs_url_is_linked_in_sarif_html_and_the_hint(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.minimise]\ndocs-url = "https://git.example.org/privacy/minimise/docs/rules"\n', encoding="utf-8"
    )
    page = "https://git.example.org/privacy/minimise/docs/rules/MIN301.md"
    sarif = json.loads(_run(project, "scan", "--no-cache", "--format", "sarif").stdout)
    rules = {rule["id"]: rule for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["MIN301"]["helpUri"] == page
    assert rules["MIN301"]["help"]["markdown"] == render_rule_body(all_checks()["MIN301"])  # still embedded
    html = _run(project, "scan", "--no-cache", "--format", "html").stdout
    assert f'<a href="{page}">Full documentation of MIN301</a>' in html
    assert f'<tr id="rule-MIN301"><td><a href="{page}"><code>MIN301</code></a></td>' in html
    text = _run(project, "scan", "--no-cache")
    assert text.stderr.splitlines()[-1] == (
        "minimise: `minimise explain CODE` describes a rule (and "
        "https://git.example.org/privacy/minimise/docs/rules/CODE.md); silence one line with "
        "`# minimise: ignore[CODE] reason` (or flake8's `# noqa: CODE`)."
    )
    override = json.loads(
        _run(project, "scan", "--no-cache", "--format", "sarif", "--docs-url", "https://docs.example.net/{code}").stdout
    )
    rules = {rule["id"]: rule for rule in override["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["MIN301"]["helpUri"] == "https://docs.example.net/MIN301"


def test_a_docs_url_that_is_not_a_url_is_an_error(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.minimise]\n\ndocs_url = "docs/rules"\n', encoding="utf-8")
    done = _run(project, "scan", "--no-cache")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "minimise: error: pyproject.toml:3: docs_url: expected an http:// or https:// URL, got str 'docs/rules'"
    ]
    (project / "pyproject.toml").unlink()
    flag = _run(project, "scan", "--no-cache", "--docs-url", "www.example.org")
    assert flag.returncode == 2
    assert "expected an http:// or https:// URL, got 'www.example.org'" in flag.stderr


def test_no_made_up_addresses_in_code_docs_or_snippets() -> None:
    """Every http(s) address the project ships is a public site, a reserved example domain or a private network's:
    no repository, documentation site or package index entry that does not exist."""
    allowed = re.compile(
        r"^https?://("
        r"([\w.-]+\.)?example\.(com|org|net)"  # reserved for examples (RFC 2606)
        r"|cwe\.mitre\.org|docs\.oasis-open\.org|json-schema\.org|pre-commit\.com|creativecommons\.org"
        r"|github\.com/(Instagram/LibCST|ethyca/fideslang)"
        r"|stripe\.com/legal/dpa|hooks\.slack\.com|discord\.com/api/webhooks|sqs\.[\w-]+\.amazonaws\.com"
        r"|api\.hubapi\.com"
        # private networks' names (RFC 6761, 6762, 8375, ICANN's .internal, a cluster's .svc): nobody's public site
        r"|([\w-]+\.)+(localhost|local|internal|home\.arpa|svc|lan)"
        r")(/|$|\b)"
    )
    shipped = [ROOT / "README.md", ROOT / ".pre-commit-hooks.yaml", ROOT / "pyproject.toml"]
    for folder in ("src", "docs", "rules"):
        shipped += [
            p
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and p.suffix in {".py", ".md", ".yaml", ".yml", ".json", ".toml"}
        ]
    bad = []
    for path in shipped:
        for match in re.finditer(r"https?://[^\s\"'`)<>\]]+", path.read_text(encoding="utf-8")):
            address = match.group(0)
            is_pattern = not re.match(r"https?://[\w.-]+(/|$)", address)  # a regular expression, not an address
            if not is_pattern and not allowed.match(address):
                bad.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert bad == []
    for path in shipped:
        text = path.read_text(encoding="utf-8")
        assert "rev: v0.1.0" not in text, path
        assert "pip install minimise" not in text, path
