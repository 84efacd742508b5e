"""The HTML audit report: one self-contained file, findings first, filterable offline.

Findings come first, most urgent first (severity, then the data's sensitivity), each with its
masked code excerpt, the path the data took, why it was classified and the rule's own text.
Then the declared inventory against what the code does, the data map, unanalysed files and
the rules used. Everything that comes from the analysed code is HTML-escaped and
personal-looking literals are masked. A Content-Security-Policy lets only the report's own
stylesheet and filter script run (by their hashes) and loads nothing from the network.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from minimise.model import ACTIONS, SEVERITIES, DataPoint, Finding, Report
from minimise.redact import redact_text
from minimise.report import markup, scoring
from minimise.report.context import RenderContext, default_context
from minimise.report.html_assets import CSP, CSS, SCRIPT
from minimise.report.html_inventory import badge, data_map, inventory_section, location
from minimise.report.markup import escape as _e
from minimise.report.sources import Sources, clip

if TYPE_CHECKING:
    from minimise.knowledge import Check

_FILTERS = (("severity", "Severity"), ("action", "Action"), ("category", "Category"), ("code", "Rule"))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _excerpt(sources: Sources, finding: Finding, context_lines: int) -> str:
    lines = sources.lines(finding.path)
    if lines is None or not 1 <= finding.line <= len(lines):
        return f'<p class="empty">Source not available for {_e(finding.path)}:{finding.line}.</p>'
    first = max(1, finding.line - context_lines)
    last = min(len(lines), finding.line + context_lines)
    out = []
    for number in range(first, last + 1):
        hit = " hit" if number == finding.line else ""
        text = _e(redact_text(clip(lines[number - 1])))
        out.append(f'<span class="l{hit}"><span class="ln">{number}</span>{text}</span>')
    return '<pre class="excerpt"><code>' + "".join(out) + "</code></pre>"


class _Page:
    """Everything one render needs, worked out once."""

    def __init__(self, report: Report, context: RenderContext, context_lines: int) -> None:
        self.report, self.context = report, context
        self.context_lines = max(0, context_lines)
        self.sources = Sources(Path(report.root))
        baselined = context.baselined_findings()
        self.findings: list[tuple[Finding, bool]] = [(f, False) for f in scoring.by_priority(list(report.findings))]
        self.findings += [(f, True) for f in scoring.by_priority(baselined)]
        self.anchors = [f"f-{n + 1}" for n in range(len(self.findings))]
        self.points: dict[tuple[str, int, int, str, str, str], DataPoint] = {}
        for p in report.data_points:
            self.points.setdefault((p.path, p.line, p.column, p.action, p.category, p.identifier), p)

    def point_of(self, f: Finding) -> DataPoint | None:
        return self.points.get((f.path, f.line, f.column, f.action, f.category, f.identifier))

    def label(self, category: str) -> str:
        return str(self.context.knowledge.label_of(category))


# ------------------------------------------------------------------------------- header
def _header(page: _Page) -> str:
    context, report = page.context, page.report
    new = [f for f, baselined in page.findings if not baselined]
    facts = [("Project", f"<code>{_e(context.project)}</code>")]
    if context.commit:
        facts.append(("Commit", f'<code title="{_e(context.commit)}">{_e(context.commit[:12])}</code>'))
    if context.branch:
        facts.append(("Branch", f"<code>{_e(context.branch)}</code>"))
    if context.date:
        facts.append(("Date", _e(context.date)))
    facts.append(("minimise", _e(context.version)))
    rules = f"{len(context.checks)} shipped checks"
    if context.rule_files:
        rules += " + " + ", ".join(f"<code>{_e(r)}</code>" for r in context.rule_files)
    facts.append(("Rules", f'<a href="#rules">{rules}</a>'))
    facts.append(("Inventory", f"<code>{_e(context.inventory_path)}</code>" if context.inventory_path else "none"))
    if context.baseline is not None:
        facts.append(("Baseline", f"<code>{_e(context.baseline.path)}</code>"))
    facts.append(
        ("Files", f"{report.files_scanned} scanned" + (f", {len(report.errors)} not analysed" if report.errors else ""))
    )
    dl = "".join(f"<div><dt>{name}</dt><dd>{value}</dd></div>" for name, value in facts)
    return (
        f'<header class="page"><h1>Privacy report: {_e(context.project)}</h1><dl class="scan" id="scan">{dl}</dl>'
        f'<p class="headline" id="headline">{_e(_headline(page, new))}</p>'
        '<nav><a href="#findings">Findings</a><a href="#inventory">Inventory</a><a href="#data-map">Data map</a>'
        + ('<a href="#errors">Files not analysed</a>' if report.errors else "")
        + '<a href="#rules">Rules</a></nav></header>'
    )


def _headline(page: _Page, new: list[Finding]) -> str:
    context = page.context
    severities = Counter(f.severity for f in new)
    breakdown = ", ".join(_plural(severities[s], s) for s in reversed(SEVERITIES) if severities.get(s))
    text = _plural(len(new), "finding") + (f" ({breakdown})" if breakdown else "")
    if context.baseline is not None:
        text += f"; {len(new)} new, {len(page.findings) - len(new)} baselined"
    tests = sum(1 for f in new if context.in_tests(f.path))
    text += f"; {len(new) - tests} in application code, {tests} in test code"
    return text + f"; {_plural(len(page.report.data_points), 'data point')}."


# ----------------------------------------------------------------------------- findings
def _options(values: list[str], labels: dict[str, str] | None = None) -> str:
    labels = labels or {}
    return '<option value="">all</option>' + "".join(
        f'<option value="{_e(v)}">{_e(labels.get(v, v))}</option>' for v in values
    )


def _filters(page: _Page) -> str:
    findings = [f for f, _ in page.findings]
    values = {
        "severity": [s for s in reversed(SEVERITIES) if any(f.severity == s for f in findings)],
        "action": [a for a in ACTIONS if any(f.action == a for f in findings)],
        "category": sorted({f.category for f in findings}),
        "code": sorted({f.code for f in findings}),
    }
    labels = {"category": {c: f"{page.label(c)} ({c})" for c in values["category"]}}
    fields = [
        f'<label>{title}<select id="filter-{key}" data-key="{key}">{_options(values[key], labels.get(key))}</select>'
        "</label>"
        for key, title in _FILTERS
    ]
    fields.append(
        f'<label>File<select id="filter-path" data-key="path">{_options(sorted({f.path for f in findings}))}</select>'
        "</label>"
    )
    fields.append(
        '<label>App or tests<select id="filter-origin" data-key="origin"><option value="">all</option>'
        '<option value="app">application</option><option value="test">tests</option></select></label>'
    )
    if page.context.baseline is not None:
        fields.append(
            '<label>Status<select id="filter-status" data-key="status"><option value="">all</option>'
            '<option value="new">new</option><option value="baselined">baselined</option></select></label>'
        )
    fields.append(
        '<label>Search<input type="search" id="filter-q" data-key="q" placeholder="text in a finding"></label>'
    )
    return f'<form class="filters" id="filters" role="search">{"".join(fields)}</form>'


def _steps(finding: Finding) -> str:
    parts = []
    for title, steps, tag in (("Data flow", finding.steps, "ol"), ("Reached from", finding.reached_from, "ul")):
        if steps:
            items = "".join(
                f"<li>{location(s.path, s.line)} {markup.code_spans(redact_text(s.message))}</li>" for s in steps
            )
            parts.append(f'<h4>{title}</h4><{tag} class="steps">{items}</{tag}>')
    return "".join(parts)


def _why(page: _Page, finding: Finding) -> str:
    point = page.point_of(finding)
    lines = [
        f"<code>{_e(redact_text(finding.identifier))}</code> reads as {_e(page.label(finding.category))} "
        f"(<code>{_e(finding.category)}</code>, sensitivity {_e(finding.sensitivity or 'medium')})"
        if finding.identifier
        else f"{_e(page.label(finding.category))} (<code>{_e(finding.category)}</code>)"
    ]
    if point is not None:
        lines += [markup.code_spans(redact_text(step)) for step in point.trace]
        if point.protection != "none":
            lines.append(f"protection: {_e(point.protection)}")
    return '<h4>Why it was classified</h4><ul class="why">' + "".join(f"<li>{x}</li>" for x in lines) + "</ul>"


def _rule_sections(check: Check) -> str:
    """A rule's documentation as in docs/rules/: what, why, example, use instead, how to suppress."""
    from minimise.ruledocs import cwe_title, cwe_url, silencing_notes

    cwe = ", ".join(f'<a href="{_e(cwe_url(c))}">CWE-{c}</a> {_e(cwe_title(c))}' for c in check.cwe)
    suppress = check.suppress.strip() + "".join(f"\n- {note}" for note in silencing_notes(check))
    return (
        (f"<p><strong>CWE:</strong> {cwe}</p>" if cwe else "")
        + f"<h4>What it finds</h4>{markup.block(check.what)}<h4>Why it matters</h4>{markup.block(check.why)}"
        + (f"<h4>Example</h4>{markup.code_block(check.example)}" if check.example else "")
        + (f"<h4>Use instead</h4>{markup.code_block(check.use_instead)}" if check.use_instead else "")
        + f"<h4>How to suppress</h4>{markup.block(suppress)}"
    )


def _rule_details(check: Check | None, code: str, docs_url: str) -> str:
    """The fix in plain view; the rule's whole documentation one click away (and a link to the
    team's published page when `docs-url` names one)."""
    from minimise.ruledocs import rule_url

    if check is None:
        return ""
    page = rule_url(code, docs_url)
    link = f'<p><a href="{_e(page)}">Full documentation of {_e(code)}</a></p>' if page else ""
    return (
        f'<div class="fix"><h4>How to fix</h4>{markup.block(check.fix)}</div>'
        f'<details class="rule"><summary>About {_e(code)} {_e(check.name)}: what, why, use instead, suppress'
        f"</summary>{_rule_sections(check)}{link}</details>"
    )


def _finding(page: _Page, finding: Finding, baselined: bool, anchor: str) -> str:
    context = page.context
    origin = "test" if context.in_tests(finding.path) else "app"
    status = "baselined" if baselined else "new"
    attrs = {
        "severity": finding.severity,
        "action": finding.action,
        "category": finding.category,
        "code": finding.code,
        "path": finding.path,
        "line": str(finding.line),
        "origin": origin,
        "status": status,
    }
    data = " ".join(f'data-{k}="{_e(v)}"' for k, v in attrs.items())
    tags = [badge("sev", finding.severity)]
    if finding.sensitivity:
        tags.append(badge("sens", finding.sensitivity))
    tags.append(f'<a href="#rule-{_e(finding.code)}"><code>{_e(finding.code)}</code></a> {_e(finding.name)}')
    tags.append(location(finding.path, finding.line, finding.column))
    if origin == "test":
        tags.append('<span class="badge tag">test code</span>')
    if baselined:
        tags.append('<span class="badge tag">baselined</span>')
    facts = [("Category", f"{_e(page.label(finding.category))} <code>{_e(finding.category)}</code>")]
    if finding.action:
        facts.append(("Action", _e(finding.action) + (f" via <code>{_e(finding.via)}</code>" if finding.via else "")))
    facts.append(("Security severity", scoring.text(scoring.finding_score(finding))))
    dl = "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts)
    rule = _rule_details(context.checks.get(finding.code), finding.code, context.docs_url)
    return (
        f'<article class="finding sev-{_e(finding.severity)}" id="{anchor}" {data}>'
        f'<header>{" ".join(tags)}</header><p class="message">{markup.code_spans(redact_text(finding.message))}</p>'
        f'<dl class="facts">{dl}</dl>{_excerpt(page.sources, finding, page.context_lines)}'
        f"{_steps(finding)}{_why(page, finding)}{rule}"
        "</article>"
    )


def _findings(page: _Page) -> str:
    total = len(page.findings)
    parts = ['<section id="findings"><h2>Findings</h2>']
    if not total:
        parts.append('<p class="empty">No findings.</p></section>')
        return "".join(parts)
    parts.append(_filters(page))
    parts.append(
        f'<p class="count">Showing <span id="visible-count">{total}</span> of {_plural(total, "finding")}, '
        "most urgent first (severity, then the sensitivity of the data).</p>"
        '<p class="empty" id="no-match" hidden>No finding matches these filters.</p>'
    )
    parts += [_finding(page, f, baselined, a) for (f, baselined), a in zip(page.findings, page.anchors, strict=True)]
    parts.append("</section>")
    return "".join(parts)


# ------------------------------------------------------------------------ other sections
def _errors(report: Report) -> str:
    if not report.errors:
        return ""
    rows = "".join(
        f"<tr><td>{location(e.path, e.line)}</td><td>{_e(redact_text(e.message))}</td></tr>" for e in report.errors
    )
    return (
        '<section id="errors"><h2>Files not analysed</h2><p class="muted">These files could not be read or '
        "parsed; personal data in them is not reported.</p><table><thead><tr><th>File</th><th>Reason</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _rules(page: _Page) -> str:
    from minimise.ruledocs import rule_url

    counts = Counter(f.code for f, _ in page.findings)
    parts = [
        '<section id="rules"><h2>Rules used</h2><table><thead><tr><th>Rule</th><th>Name</th><th>Severity</th>'
        '<th>Summary</th><th class="num">Findings</th></tr></thead><tbody>'
    ]
    codes = sorted(set(page.context.checks) | set(counts))
    docs_url = page.context.docs_url
    for code in codes:
        check = page.context.checks.get(code)
        name = check.name if check else next(f.name for f, _ in page.findings if f.code == code)
        summary = markup.inline(check.summary.strip()) if check else ""
        severity = badge("sev", check.severity) if check else ""
        published = rule_url(code, docs_url) if check else ""
        label = f'<a href="{_e(published)}"><code>{_e(code)}</code></a>' if published else f"<code>{_e(code)}</code>"
        if check and not published:  # no published pages: the documentation itself, folded
            summary = f'<details class="rule"><summary>{summary}</summary>{_rule_sections(check)}</details>'
        parts.append(
            f'<tr id="rule-{_e(code)}"><td>{label}</td>'
            f"<td><code>{_e(name)}</code></td><td>{severity}</td><td>{summary}</td>"
            f'<td class="num">{counts.get(code, 0)}</td></tr>'
        )
    parts.append("</tbody></table></section>")
    return "".join(parts)


def render(
    report: Report,
    stream: TextIO,
    context: RenderContext | None = None,
    context_lines: int = 2,
    **_options: Any,
) -> None:
    context = context or default_context(report)
    page = _Page(report, context, context_lines)
    finding_ids: dict[tuple[str, int, str, str], str] = {}
    for (f, _), anchor in zip(page.findings, page.anchors, strict=True):
        finding_ids.setdefault((f.path, f.line, f.category, f.action), anchor)
    stream.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>minimise privacy report: {_e(context.project)}</title><style>{CSS}</style></head>\n<body><main>"
    )
    for part in (
        _header(page),
        _findings(page),
        inventory_section(report, context),
        data_map(report, context, finding_ids),
        _errors(report),
        _rules(page),
    ):
        if part:
            stream.write(part + "\n")
    stream.write(
        f"<footer>Generated by minimise {_e(context.version)}. Values that look like personal data (emails, card "
        "numbers, IBANs, SSNs) are masked in messages and excerpts. The page loads nothing from the network; its "
        "only script is the filter above.</footer>"
        f"</main><script>{SCRIPT}</script></body></html>\n"
    )
