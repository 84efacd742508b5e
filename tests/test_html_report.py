"""The HTML report: findings first, filterable offline under a strict CSP, the inventory used, a real browser."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from report_helpers import (
    APP,
    HOSTILE,
    HOSTILE_DIR,
    HOSTILE_FILE,
    HOSTILE_PATH,
    articles,
    browser,
    elements,
    finding_rows,
    git_repo,
    label,
    parse,
    rendered,
    run_browser,
    scan_repo,
    visible,
)

from minimise.cli import cli
from minimise.model import Finding, Report, ScanError, Step

INVENTORY = """\
version: 1
stores:
  primary_db: {kind: database}
data:
  - id: customer_email
    category: user.contact.email
    purposes: [essential.service]
    lawful_basis: contract
    retention: P2Y
    allow: {collect: true, store: [primary_db], log: false}
  - id: fax
    category: user.contact.fax_number
    allow: {store: [primary_db]}
"""

TEST_CODE = """\
import logging

log = logging.getLogger(__name__)


def test_signup(user):
    log.info("user %s", user.email)
"""


@pytest.fixture
def app_repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(APP, encoding="utf-8")
    return root


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    """A git repository with application code, test code and a data inventory."""
    root = tmp_path / "shop"
    (root / "tests").mkdir(parents=True)
    (root / "app.py").write_text(APP, encoding="utf-8")
    (root / "tests" / "test_app.py").write_text(TEST_CODE, encoding="utf-8")
    (root / "data-inventory.yaml").write_text(INVENTORY, encoding="utf-8")
    return root


def scan_html(root: Path, out: Path, *extra: str) -> str:
    # Test code is left out by default; these reports are about how it is shown when included.
    command = ["scan", str(root), "--no-cache", "--include-tests", "--format", "html", "-o", str(out), *extra]
    result = CliRunner().invoke(cli, command)
    assert result.exit_code == 1, result.output
    return out.read_text(encoding="utf-8")


def section_ids(text: str) -> list[str]:
    return [str(a.get("id")) for tag, a in elements(text) if tag == "section"]


def csp_of(text: str) -> str:
    (policy,) = [a["content"] for tag, a in elements(text) if tag == "meta" and a.get("http-equiv")]
    assert policy is not None
    return policy


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# --- content ----------------------------------------------------------------------------------


def test_findings_come_first_most_urgent_first(app_repo: Path) -> None:
    text = rendered(scan_repo(app_repo), "html")
    assert section_ids(text) == ["findings", "inventory", "data-map", "rules"]
    # The error (phone number in a URL) before the warning (email logged), whatever their lines.
    assert finding_rows(text) == [("MIN402", "app.py", "11"), ("MIN301", "app.py", "9")]
    (headline,) = re.findall(r'<p class="headline" id="headline">([^<]*)</p>', text)
    assert headline == ("2 findings (1 error, 1 warning); 2 in application code, 0 in test code; 2 data points.")
    assert '<span id="visible-count">2</span> of 2 findings' in text


def test_each_finding_shows_excerpt_flow_reasons_and_rule(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\nemail = form['email']\nlog.info(email)\n", encoding="utf-8")
    steps = (Step("a.py", 2, "`form['email']` read into `email`"), Step("a.py", 3, "passed to `log.info`"))
    finding = Finding(
        code="MIN301",
        name="personal-data-logged",
        severity="warning",
        path="a.py",
        line=3,
        column=10,
        category="user.contact.email",
        action="log",
        message="Email logged via logging: `email` for bob@example.com",
        fingerprint="a" * 20,
        identifier="email",
        sensitivity="medium",
        via="logging",
        steps=steps,
    )
    text = rendered(Report(root=str(tmp_path), findings=[finding]), "html")
    article = text.split('<article class="finding sev-warning"', 1)[1].split("</article>", 1)[0]
    assert '<p class="message">Email logged via logging: <code>email</code> for [email]</p>' in article
    assert '<span class="l hit"><span class="ln">3</span>log.info(email)</span>' in article
    assert (
        '<h4>Data flow</h4><ol class="steps"><li><span class="loc">a.py:2</span> <code>form[&#x27;email&#x27;]</code> '
        'read into <code>email</code></li><li><span class="loc">a.py:3</span> passed to <code>log.info</code></li></ol>'
    ) in article
    assert "<h4>Why it was classified</h4>" in article and f"reads as {label('user.contact.email')}" in article
    fix = article.split('<div class="fix">', 1)[1].split("</div>", 1)[0]
    assert fix.startswith("<h4>How to fix</h4><p>Log a stable pseudonymous identifier (<code>user.id</code>)")
    rule = article.split('<details class="rule">', 1)[1]
    assert "<h4>Use instead</h4>" in rule and "<h4>What it finds</h4>" in rule and "<h4>Why it matters</h4>" in rule
    assert "<li><code># noqa: MIN301</code> at the end of the line: <code>minimise scan</code> and the" in rule
    assert 'href="https://cwe.mitre.org/data/definitions/532.html">CWE-532</a>' in rule
    # No docs-url configured: the documentation is embedded, and nothing links to a made-up site.
    assert "<h4>Example</h4>" in rule and "Full documentation" not in rule
    links = set(re.findall(r'href="(https?://[^"]+)"', text))
    assert "https://cwe.mitre.org/data/definitions/532.html" in links
    assert {link for link in links if not link.startswith("https://cwe.mitre.org/data/definitions/")} == set()
    # Rule text is rendered: backticks become <code>, none is left raw.
    assert "<code>user.id</code>" in article and "`" not in rule.split("<pre")[0] + fix
    assert "bob@example.com" not in text


def test_html_escapes_everything_from_the_analysed_code(tmp_path: Path) -> None:
    root = tmp_path / "hostile"
    (root / HOSTILE_DIR).mkdir(parents=True)
    (root / HOSTILE_DIR / HOSTILE_FILE).write_text(HOSTILE, encoding="utf-8")
    (root / "app.py").write_text(APP, encoding="utf-8")
    report = scan_repo(root)
    assert {f.path for f in report.findings} == {HOSTILE_PATH, "app.py"}
    text = rendered(report, "html")
    page = parse(text)
    # The only script is the report's own, allowed by its hash; nothing from the code became an element.
    assert [tag for tag, _ in page.elements].count("script") == 1
    (script,) = page.scripts
    assert sha256(script) in csp_of(text)
    assert "<img" not in text.lower() and text.lower().count("<script") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.py" in text
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in text
    assert "&lt;img src=x onerror=alert(3)&gt;" in text
    assert "alice@example.com" not in text and "[email]" in text
    assert all(not name.startswith("on") for _, attrs in page.elements for name in attrs)
    assert sorted(finding_rows(text)) == sorted(
        [
            ("MIN301", HOSTILE_PATH, "7"),
            ("MIN301", HOSTILE_PATH, "8"),
            ("MIN301", "app.py", "9"),
            ("MIN402", "app.py", "11"),
        ]
    )


def test_html_is_self_contained_under_a_strict_policy(app_repo: Path) -> None:
    text = rendered(scan_repo(app_repo), "html")
    page = parse(text)
    for tag, attrs in page.elements:
        assert tag not in ("link", "img", "iframe", "object", "embed"), tag
        assert "src" not in attrs and "style" not in attrs
        if tag == "a":
            href = attrs.get("href") or ""
            assert href.startswith(("#", "https://cwe.mitre.org/")), href  # no docs-url: no link to a rule site
    assert "@import" not in text and "url(" not in text
    policy = csp_of(text)
    (style,) = re.findall(r"<style>(.*?)</style>", text, re.S)
    assert policy == (
        f"default-src 'none'; style-src {sha256(style)}; script-src {sha256(page.scripts[0])}; img-src data:; "
        "base-uri 'none'; form-action 'none'; object-src 'none'"
    )
    assert "unsafe-inline" not in policy
    assert rendered(scan_repo(app_repo), "html") == text  # deterministic without a dated context


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


# --- a scan through the command line ---------------------------------------------------------


def test_scan_with_an_inventory_shows_it(shop: Path, tmp_path: Path) -> None:
    text = scan_html(shop, tmp_path / "report.html")
    assert "This scan used no data inventory" not in text and 'id="no-inventory"' not in text
    inventory = text.split('<section id="inventory">', 1)[1].split("</section>", 1)[0]
    assert '<p id="inventory-summary">data-inventory.yaml: 2 items declared; 2 data points match a declared item, ' in (
        inventory
    )
    declared = inventory.split('<table id="inventory-declared">', 1)[1].split("</table>", 1)[0]
    assert '<tr data-item="customer_email">' in declared and "observed (log 2)" in declared
    assert '<tr data-item="fax">' in declared and "declared, not observed" in declared
    undeclared = inventory.split('<table id="inventory-undeclared">', 1)[1].split("</table>", 1)[0]
    assert '<tr data-category="user.contact.phone_number">' in undeclared
    assert '<span class="loc">app.py:11</span>' in undeclared
    assert "<dt>Inventory</dt><dd><code>data-inventory.yaml</code></dd>" in text


def test_scan_header_names_commit_branch_date_and_tests(shop: Path, tmp_path: Path) -> None:
    commit = git_repo(shop, branch="audit")
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}
    result = CliRunner(env=env).invoke(
        cli,
        [
            "scan",
            str(shop),
            "--no-cache",
            "--include-tests",
            "--no-inventory",
            "--format",
            "html",
            "-o",
            str(tmp_path / "r.html"),
        ],
    )
    assert result.exit_code == 1, result.output
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert f'<dt>Commit</dt><dd><code title="{commit}">{commit[:12]}</code></dd>' in text
    assert "<dt>Branch</dt><dd><code>audit</code></dd>" in text
    assert "<dt>Date</dt><dd>2026-01-01T00:00:00Z</dd>" in text
    assert "<h1>Privacy report: shop</h1>" in text
    origins = {(a["data-path"], a["data-origin"]) for a in articles(text)}
    assert origins == {("app.py", "app"), ("tests/test_app.py", "test")}
    assert "2 in application code, 1 in test code" in text


def test_scan_with_a_baseline_marks_baselined_findings(shop: Path, tmp_path: Path) -> None:
    (shop / "data-inventory.yaml").unlink()
    runner = CliRunner()
    base = tmp_path / "base.json"
    made = runner.invoke(cli, ["baseline", "create", str(shop), "--no-cache", "--include-tests", "-o", str(base)])
    assert made.exit_code == 0, made.output
    (shop / "app.py").write_text(APP + "\n\ndef order(customer):\n    logger.info(customer.iban)\n", encoding="utf-8")
    text = scan_html(shop, tmp_path / "r.html", "--baseline", str(base))
    statuses = [(a["data-code"], a["data-line"], a["data-status"]) for a in articles(text)]
    assert statuses[0] == ("MIN301", "16", "new")
    assert sorted(statuses[1:]) == [
        ("MIN301", "7", "baselined"),
        ("MIN301", "9", "baselined"),
        ("MIN402", "11", "baselined"),
    ]
    assert "1 finding (1 error); 1 new, 3 baselined" in text
    assert '<select id="filter-status" data-key="status">' in text


# --- a real browser ------------------------------------------------------------------------


def test_html_in_a_headless_browser(shop: Path, tmp_path: Path) -> None:
    executable = browser()
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed, and CI is set: install it (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (install it with `apt-get install -y chromium`); not on CI")
    (shop / HOSTILE_DIR).mkdir()
    (shop / HOSTILE_DIR / HOSTILE_FILE).write_text(HOSTILE, encoding="utf-8")
    page = tmp_path / "report.html"
    scan_html(shop, page)
    url = page.resolve().as_uri()
    every = finding_rows(page.read_text(encoding="utf-8"))
    assert len(every) == 6

    def dom(fragment: str, profile: str) -> str:
        result = run_browser(executable, tmp_path / profile, "--dump-dom", url + fragment)
        assert result.returncode == 0, result.stderr[-2000:]
        return result.stdout

    plain = dom("", "p0")
    # The filter script ran (the CSP allowed it by its hash) and showed everything.
    assert 'data-filters="ready"' in plain.split(">", 2)[1]
    assert visible(plain) == every
    assert section_ids(plain)[0] == "findings"
    assert '<table id="inventory-declared">' in plain
    tags = [tag for tag, _ in elements(plain)]
    assert tags.count("script") == 1 and "img" not in tags
    assert all(not name.startswith("on") for _, attrs in elements(plain) for name in attrs)

    notes = dom("#filter?severity=note", "p1")
    assert visible(notes) == [("MIN505", "data-inventory.yaml", "11")]
    assert '<span id="visible-count">1</span>' in notes

    in_tests = dom("#filter?origin=test&code=MIN502", "p2")
    assert visible(in_tests) == [("MIN502", "tests/test_app.py", "7")]

    by_path = dom("#filter?path=" + "%3Cscript%3Ealert(1)%3C%2Fscript%3E.py", "p3")
    assert visible(by_path) == [r for r in every if r[1] == HOSTILE_PATH] != []

    searched = dom("#filter?q=date%20of%20birth", "p4")
    assert [r[2] for r in visible(searched)] == ["8"]

    nothing = dom("#filter?category=user.contact.email&action=share", "p5")
    assert visible(nothing) == []
    assert '<p class="empty" id="no-match">' in nothing  # the "no match" line is shown, no longer hidden

    shot = tmp_path / "shot.png"
    result = run_browser(executable, tmp_path / "p6", f"--screenshot={shot}", "--window-size=1280,1600", url)
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 20_000  # a blank page compresses to a few kilobytes


def test_json_and_html_agree_on_test_code(shop: Path) -> None:
    command = ["scan", str(shop), "--no-cache", "--include-tests", "--no-inventory", "--format", "json"]
    report = json.loads(CliRunner().invoke(cli, command).output)
    assert {(f["path"], f["in_tests"]) for f in report["findings"]} == {("app.py", False), ("tests/test_app.py", True)}
    # By default test code is left out of the findings, and counted.
    report = json.loads(CliRunner().invoke(cli, command[:3] + command[4:]).output)
    assert {(f["path"], f["in_tests"]) for f in report["findings"]} == {("app.py", False)}
    assert report["summary"]["files_treated_as_tests"] == 1


def test_rule_text_markup_is_escaped_and_rendered() -> None:
    from minimise.report import markup

    assert markup.inline("use `a<b>` and **this**, see [docs](https://example.org/x)") == (
        'use <code>a&lt;b&gt;</code> and <strong>this</strong>, see <a href="https://example.org/x">docs</a>'
    )
    assert markup.inline("[x](javascript:alert(1))") == "[x](javascript:alert(1))"
    # Messages from analysed code keep only code spans: no links, no bold.
    assert markup.code_spans("[x](https://e.org) **b** `c`") == "[x](https://e.org) **b** <code>c</code>"
    assert markup.block("One\ntwo.\n- a `x`\n- b\n\nThree.") == (
        "<p>One two.</p><ul><li>a <code>x</code></li><li>b</li></ul><p>Three.</p>"
    )
