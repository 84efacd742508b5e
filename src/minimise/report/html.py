"""The HTML audit report: one self-contained file (inline CSS, no scripts, no external assets).

Everything that comes from the analysed code (paths, identifiers, messages, source excerpts) is
HTML-escaped, and personal-looking literals in excerpts are masked, so the report is safe to open
and to attach to an audit ticket. A Content-Security-Policy forbids scripts and network loads.
"""

from __future__ import annotations

import html
import os
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, TextIO

from minimise import __version__
from minimise.model import ACTIONS, SEVERITIES, DataPoint, Finding, Report
from minimise.redact import redact_text

_ACTION_TITLES = {"collect": "Collected", "store": "Stored", "log": "Logged", "share": "Shared with"}
_MAX_LINE = 400
_MAX_DEPTH = 8
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

_CSS = """
:root { --fg: #1f2933; --muted: #616e7c; --line: #e4e7eb; --bg: #ffffff; --soft: #f5f7fa;
  --accent: #2f5f8a; --hit: #fff6db; --hit-edge: #e0b43a;
  --error: #a61b1b; --error-bg: #fdecec; --warning: #8a5300; --warning-bg: #fff4e0;
  --note: #1f5f99; --note-bg: #e8f1fb; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e7eb; --muted: #9aa5b1; --line: #323f4b; --bg: #1a1f24; --soft: #222a31;
    --accent: #8fb8de; --hit: #3b3420; --hit-edge: #c79a2a;
    --error: #ff9b9b; --error-bg: #3d1f1f; --warning: #f5c26b; --warning-bg: #3a2e17;
    --note: #9cc7f0; --note-bg: #1c2e40; }
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
  font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
header h1 { margin: 0 0 .25rem; font-size: 1.7rem; font-weight: 600; }
header p { margin: 0; color: var(--muted); }
nav { margin: 1.25rem 0 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; font-size: .92rem; }
nav a, a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section { margin-top: 2.5rem; }
h2 { font-size: 1.3rem; font-weight: 600; border-bottom: 1px solid var(--line); padding-bottom: .35rem; }
h3 { font-size: 1.05rem; font-weight: 600; margin: 1.6rem 0 .5rem; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(10rem, 1fr)); gap: .8rem; }
.card { background: var(--soft); border: 1px solid var(--line); border-radius: .5rem; padding: .8rem 1rem; }
.card .n { font-size: 1.6rem; font-weight: 600; display: block; }
.card .l { color: var(--muted); font-size: .88rem; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(20rem, 1fr)); gap: 1.5rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .93rem; }
table.findings, table.datamap { table-layout: fixed; }
td { overflow-wrap: anywhere; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: .85rem; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .loc { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .88em; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem;
  font-weight: 600; white-space: nowrap; }
.sev-error { color: var(--error); background: var(--error-bg); }
.sev-warning { color: var(--warning); background: var(--warning-bg); }
.sev-note { color: var(--note); background: var(--note-bg); }
.sens-special, .sens-high { color: var(--error); background: var(--error-bg); }
.sens-medium { color: var(--warning); background: var(--warning-bg); }
.sens-low { color: var(--muted); background: var(--soft); }
.muted, .meta { color: var(--muted); }
.meta { font-size: .85rem; margin-top: .2rem; }
ul.places { list-style: none; margin: 0; padding: 0; }
ul.places li { margin: .1rem 0; }
tr.finding td { border-bottom: none; padding-bottom: .2rem; }
tr.excerpt-row td { padding-top: 0; }
pre.excerpt { max-width: 100%; margin: 0; background: var(--soft); border: 1px solid var(--line); border-radius: .4rem;
  padding: .4rem 0; overflow-x: auto; tab-size: 4; }
pre.excerpt span.l { display: block; padding: 0 .8rem 0 0; white-space: pre; }
pre.excerpt span.l.hit { background: var(--hit); box-shadow: inset 3px 0 0 var(--hit-edge); }
pre.excerpt span.ln { display: inline-block; min-width: 3.5rem; padding-right: .8rem; text-align: right;
  color: var(--muted); user-select: none; }
.empty { color: var(--muted); font-style: italic; }
.status-missing { color: var(--error); font-weight: 600; }
.status-ok { color: var(--muted); }
.status-unused { color: var(--warning); }
table.kv th { width: 14rem; text-transform: none; letter-spacing: 0; }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
  padding-top: 1rem; }
@media print { nav { display: none; } tr.finding, tr.excerpt-row { break-inside: avoid; } }
"""


def _e(value: object) -> str:
    """Escape anything for HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


class _Sources:
    """Source lines of reported files, read once each; unreadable files give None."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, list[str] | None] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self.cache:
            self.cache[path] = self._read(path)
        return self.cache[path]

    def _read(self, path: str) -> list[str] | None:
        from minimise.source import MAX_SOURCE_BYTES, SourceError, decode_source

        file = Path(path) if os.path.isabs(path) else self.root / path
        try:
            if file.stat().st_size > MAX_SOURCE_BYTES:
                return None
            raw = file.read_bytes()
        except (OSError, ValueError):
            return None
        try:
            text = decode_source(raw)
        except SourceError:
            text = raw.decode("utf-8", errors="replace")
        from minimise.source import split_lines

        return split_lines(text)


def _excerpt(sources: _Sources, finding: Finding, context: int) -> str:
    lines = sources.lines(finding.path)
    if lines is None or not 1 <= finding.line <= len(lines):
        return f'<p class="empty">Source not available for {_e(finding.path)}:{finding.line}.</p>'
    first = max(1, finding.line - context)
    last = min(len(lines), finding.line + context)
    out = []
    for number in range(first, last + 1):
        text = lines[number - 1]
        if len(text) > _MAX_LINE:
            text = text[:_MAX_LINE] + " …"
        hit = " hit" if number == finding.line else ""
        out.append(f'<span class="l{hit}"><span class="ln">{number}</span>{_e(redact_text(text))}</span>')
    return '<pre class="excerpt"><code>' + "".join(out) + "</code></pre>"


def _badge(kind: str, value: str) -> str:
    return f'<span class="badge {kind}-{_e(value)}">{_e(value)}</span>'


def _location(path: str, line: int, column: int = 0) -> str:
    where = f":{line}" if line else ""
    if line and column:
        where += f":{column}"
    return f'<span class="loc">{_e(path)}{where}</span>'


def _summary(report: Report, labels: dict[str, str], sensitivity: dict[str, str]) -> str:
    points, findings = report.data_points, report.findings
    by_sev = Counter(f.severity for f in findings)
    by_action_points = Counter(p.action for p in points)
    by_action_findings = Counter(f.action for f in findings)
    cards = [
        (report.files_scanned, "files scanned"),
        (len(points), "data points"),
        (len(findings), "findings"),
        (len({p.category for p in points}), "categories of personal data"),
        (len(report.errors), "files not analysed"),
    ]
    parts = ['<section id="summary"><h2>Summary</h2><div class="cards">']
    parts += [
        f'<div class="card"><span class="n">{n}</span><span class="l">{_e(label)}</span></div>' for n, label in cards
    ]
    parts.append(
        '</div><div class="grid2"><div><h3>Findings by severity</h3>'
        '<table id="by-severity">'
        '<thead><tr><th>Severity</th><th class="num">Findings</th></tr></thead><tbody>'
    )
    for severity in reversed(SEVERITIES):
        parts.append(f'<tr><td>{_badge("sev", severity)}</td><td class="num">{by_sev.get(severity, 0)}</td></tr>')
    parts.append(
        '</tbody></table></div><div><h3>By action</h3><table id="by-action"><thead><tr><th>Action</th>'
        '<th class="num">Data points</th><th class="num">Findings</th></tr></thead><tbody>'
    )
    for action in ACTIONS:
        parts.append(
            f'<tr><td>{_e(action)}</td><td class="num">{by_action_points.get(action, 0)}</td>'
            f'<td class="num">{by_action_findings.get(action, 0)}</td></tr>'
        )
    parts.append("</tbody></table></div></div>")
    parts.append(_category_table(report, labels, sensitivity))
    parts.append("</section>")
    return "".join(parts)


def _category_table(report: Report, labels: dict[str, str], sensitivity: dict[str, str]) -> str:
    categories = sorted({p.category for p in report.data_points} | {f.category for f in report.findings})
    if not categories:
        return '<h3>By category</h3><p class="empty">No personal data was found.</p>'
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for p in report.data_points:
        counts[p.category][p.action] += 1
    finding_counts = Counter(f.category for f in report.findings)
    head = "".join(f'<th class="num">{_e(a)}</th>' for a in ACTIONS)
    parts = [
        f'<h3>By category</h3><table id="by-category"><thead><tr><th>Category</th><th>Sensitivity</th>{head}'
        '<th class="num">Findings</th></tr></thead><tbody>'
    ]
    for index, category in enumerate(categories):
        cells = "".join(f'<td class="num">{counts[category].get(a, 0)}</td>' for a in ACTIONS)
        parts.append(
            f'<tr><td><a href="#cat-{index}">{_e(labels.get(category, category))}</a>'
            f'<div class="meta"><code>{_e(category)}</code></div></td>'
            f"<td>{_badge('sens', sensitivity.get(category, 'medium'))}</td>{cells}"
            f'<td class="num">{finding_counts.get(category, 0)}</td></tr>'
        )
    parts.append("</tbody></table>")
    return "".join(parts)


def _finding_key(path: str, line: int, category: str, action: str) -> tuple[str, int, str, str]:
    return (path, line, category, action)


def _data_map(
    report: Report,
    labels: dict[str, str],
    sensitivity: dict[str, str],
    finding_ids: dict[tuple[str, int, str, str], str],
) -> str:
    parts = [
        '<section id="data-map"><h2>Data map</h2>'
        '<p class="muted">Where each category of personal data is collected, stored, logged and shared. '
        "Locations with a finding link to it.</p>"
    ]
    categories = sorted({p.category for p in report.data_points} | {f.category for f in report.findings})
    if not report.data_points:
        parts.append('<p class="empty">No data points.</p></section>')
        return "".join(parts)
    by_category: dict[str, dict[str, list[DataPoint]]] = defaultdict(lambda: defaultdict(list))
    for p in report.data_points:
        by_category[p.category][p.action].append(p)
    counter = 0
    for index, category in enumerate(categories):
        actions = by_category.get(category, {})
        parts.append(
            f'<h3 id="cat-{index}">{_e(labels.get(category, category))} <code class="muted">'
            f"{_e(category)}</code> {_badge('sens', sensitivity.get(category, 'medium'))}</h3>"
        )
        if not actions:
            parts.append('<p class="empty">Only in findings.</p>')
            continue
        parts.append(
            '<table class="datamap"><thead><tr><th style="width:9rem">Action</th><th>Where</th></tr></thead><tbody>'
        )
        for action in ACTIONS:
            points = actions.get(action)
            if not points:
                continue
            items = []
            for p in points:
                counter += 1
                where = _location(p.path, p.line)
                target = finding_ids.get(_finding_key(p.path, p.line, p.category, p.action))
                if target:
                    where = f'<a href="#{target}">{where}</a>'
                protection = "" if p.protection == "none" else f" · {_e(p.protection)}"
                items.append(
                    f'<li id="dp-{counter}">{where} <span class="muted">via {_e(p.via)}{protection} · '
                    f"<code>{_e(redact_text(p.identifier))}</code></span></li>"
                )
            parts.append(
                f"<tr><td>{_e(_ACTION_TITLES.get(action, action))}</td>"
                f'<td><ul class="places">{"".join(items)}</ul></td></tr>'
            )
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "".join(parts)


def _findings(report: Report, sources: _Sources, finding_ids: dict[int, str], context: int) -> str:
    parts = ['<section id="findings"><h2>Findings</h2>']
    if not report.findings:
        parts.append('<p class="empty">No findings.</p></section>')
        return "".join(parts)
    by_path: dict[str, list[tuple[int, Finding]]] = defaultdict(list)
    for number, f in enumerate(report.findings):
        by_path[f.path].append((number, f))
    for path in sorted(by_path):
        items = by_path[path]
        parts.append(f'<h3 class="file">{_e(path)} <span class="muted">({_plural(len(items), "finding")})</span></h3>')
        parts.append(
            '<table class="findings"><thead><tr><th style="width:6rem">Line</th><th style="width:7rem">'
            'Severity</th><th style="width:6rem">Rule</th><th>Message</th></tr></thead>'
        )
        for number, f in items:
            meta = " · ".join(_e(x) for x in (f.category, f.action, f.sensitivity, f.via and f"via {f.via}") if x)
            parts.append(
                f'<tbody><tr class="finding" id="{finding_ids[number]}" data-code="{_e(f.code)}" '
                f'data-path="{_e(f.path)}" data-line="{f.line}">'
                f'<td><span class="loc">{f.line}:{f.column}</span></td>'
                f"<td>{_badge('sev', f.severity)}</td>"
                f'<td><a href="#rule-{_e(f.code)}"><code>{_e(f.code)}</code></a></td>'
                f'<td class="message">{_e(redact_text(f.message))}<div class="meta">{meta}</div></td></tr>'
                f'<tr class="excerpt-row"><td colspan="4">{_excerpt(sources, f, context)}</td></tr></tbody>'
            )
        parts.append("</table>")
    parts.append("</section>")
    return "".join(parts)


def _plain(value: Any) -> Any:
    """Dataclasses and objects with to_json() become plain dicts and lists."""
    if hasattr(value, "to_json") and callable(value.to_json):
        return value.to_json()
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def _tree(value: Any, depth: int = 0) -> str:
    value = _plain(value)
    if depth > _MAX_DEPTH:
        return '<span class="muted">…</span>'
    if isinstance(value, dict):
        if not value:
            return '<span class="muted">(empty)</span>'
        rows = "".join(f"<tr><th>{_e(k)}</th><td>{_tree(v, depth + 1)}</td></tr>" for k, v in value.items())
        return f'<table class="kv"><tbody>{rows}</tbody></table>'
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else list(value)
        if not items:
            return '<span class="muted">(none)</span>'
        return "<ul>" + "".join(f"<li>{_tree(v, depth + 1)}</li>" for v in items) + "</ul>"
    if value is None:
        return '<span class="muted">—</span>'
    return _e(value)


_CATEGORY_KEYS = frozenset({"category", "categories", "data_categories"})


def _declared_categories(
    value: Any, known: dict[str, Any], found: set[str], depth: int = 0, under_key: bool = False
) -> None:
    """The taxonomy categories an inventory declares: the strings under a `category`, `categories`
    or `data_categories` key, at any depth, that are taxonomy keys.

    Entries marked ``declared: false`` (an observed inventory lists what the code does beyond the
    declaration) do not count as declared.
    """
    value = _plain(value)
    if depth > _MAX_DEPTH:
        return
    if isinstance(value, dict):
        if value.get("declared") is False:
            return
        for k, v in value.items():
            named = isinstance(k, str) and k in _CATEGORY_KEYS
            if under_key and isinstance(k, str) and k in known:
                found.add(k)  # categories: {user.contact.email: {...}}
            _declared_categories(v, known, found, depth + 1, named)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for v in value:
            _declared_categories(v, known, found, depth + 1, under_key)
    elif under_key and isinstance(value, str) and value in known:
        found.add(value)


def _inventory(report: Report, inventory: Any, known: dict[str, Any], label_of: Callable[[str], str]) -> str:
    parts = ['<section id="inventory"><h2>Declared vs observed inventory</h2>']
    if inventory is None or inventory == {} or inventory == []:
        parts.append(
            '<p class="empty" id="no-inventory">No data inventory was declared for this report.</p>'
            "<p>A data inventory states which personal data the project means to collect, where it is stored and "
            "who it is shared with; minimise then reports what the code does beyond it. Start one with "
            "<code>minimise inventory init</code>, review it, and commit it next to the code.</p></section>"
        )
        return "".join(parts)
    declared: set[str] = set()
    _declared_categories(inventory, known, declared)
    observed = Counter(p.category for p in report.data_points)
    labels = {key: str(label_of(key)) for key in set(observed) | declared}

    def covered(category: str) -> bool:
        return any(category == d or category.startswith(d + ".") for d in declared)

    rows = []
    for category in sorted(observed):
        status = (
            '<span class="status-ok">declared</span>'
            if covered(category)
            else '<span class="status-missing">observed, not declared</span>'
        )
        rows.append(
            f'<tr><td>{_e(labels.get(category, category))}<div class="meta"><code>{_e(category)}</code>'
            f'</div></td><td class="num">{observed[category]}</td><td>{status}</td></tr>'
        )
    for category in sorted(declared):
        if not any(c == category or c.startswith(category + ".") for c in observed):
            rows.append(
                f'<tr><td>{_e(labels.get(category, category))}<div class="meta"><code>{_e(category)}'
                '</code></div></td><td class="num">0</td>'
                '<td><span class="status-unused">declared, not observed</span></td></tr>'
            )
    if rows:
        parts.append(
            '<table id="inventory-comparison"><thead><tr><th>Category</th><th class="num">Data points</th>'
            "<th>Status</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
        )
    parts.append(f"<h3>Declared inventory</h3>{_tree(inventory)}</section>")
    return "".join(parts)


def _errors(report: Report) -> str:
    if not report.errors:
        return ""
    rows = "".join(
        f"<tr><td>{_location(e.path, e.line)}</td><td>{_e(redact_text(e.message))}</td></tr>" for e in report.errors
    )
    return (
        '<section id="errors"><h2>Files not analysed</h2><p class="muted">These files could not be read or '
        "parsed; personal data in them is not reported.</p><table><thead><tr><th>File</th><th>Reason</th>"
        f"</tr></thead><tbody>{rows}</tbody></table></section>"
    )


def _rules(report: Report, checks: dict[str, Any]) -> str:
    from minimise.ruledocs import rule_url

    codes = sorted({f.code for f in report.findings})
    if not codes:
        return ""
    parts = ['<section id="rules"><h2>Rules in this report</h2>']
    for code in codes:
        check = checks.get(code)
        if check is None:
            name = next(f.name for f in report.findings if f.code == code)
            parts.append(f'<h3 id="rule-{_e(code)}"><code>{_e(code)}</code> {_e(name)}</h3>')
            continue
        parts.append(
            f'<h3 id="rule-{_e(code)}"><code>{_e(code)}</code> {_e(check.name)}</h3>'
            f"<p>{_e(check.summary.strip())}</p>"
            f'<table class="kv"><tbody><tr><th>Why it matters</th><td>{_e(" ".join(check.why.split()))}</td></tr>'
            f"<tr><th>How to fix</th><td>{_e(' '.join(check.fix.split()))}</td></tr>"
            f"<tr><th>How to suppress</th><td>{_e(' '.join(check.suppress.split()))}</td></tr></tbody></table>"
            f'<p><a href="{_e(rule_url(code))}">Full documentation of {_e(code)}</a></p>'
        )
    parts.append("</section>")
    return "".join(parts)


def render(report: Report, stream: TextIO, inventory: Any = None, context_lines: int = 2, **_options: object) -> None:
    from minimise.knowledge import load_knowledge
    from minimise.ruledocs import all_checks
    from minimise.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    knowledge = load_knowledge()
    points = sorted(report.data_points, key=DataPoint.sort_key)
    findings = sorted(report.findings, key=Finding.sort_key)
    view = Report(
        root=report.root,
        data_points=points,
        findings=findings,
        errors=list(report.errors),
        files_scanned=report.files_scanned,
        files_skipped=report.files_skipped,
    )
    categories = {p.category for p in points} | {f.category for f in findings}
    label_of = getattr(knowledge, "label_of", taxonomy.label)  # the labels findings' messages use
    labels = {c: str(label_of(c)) for c in categories}
    sensitivity = {p.category: p.sensitivity for p in points}
    sensitivity.update({c: knowledge.sensitivity_of(c) for c in categories if c not in sensitivity})
    finding_ids = {n: f"f-{n + 1}" for n in range(len(findings))}
    by_place: dict[tuple[str, int, str, str], str] = {}
    for n, f in enumerate(findings):
        by_place.setdefault(_finding_key(f.path, f.line, f.category, f.action), finding_ids[n])
    severities = Counter(f.severity for f in findings)
    breakdown = ", ".join(f"{severities[s]} {s}" for s in reversed(SEVERITIES) if severities.get(s))
    headline = (
        f"{_plural(len(findings), 'finding')}{f' ({breakdown})' if breakdown else ''} and "
        f"{_plural(len(points), 'data point')} in {_plural(report.files_scanned, 'file')}"
    )
    root_name = Path(report.root).name or report.root
    stream.write(
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<meta name="referrer" content="no-referrer">'
        f"<title>minimise privacy report: {_e(root_name)}</title><style>{_CSS}</style></head>\n<body><main>"
        f"<header><h1>Privacy report</h1><p>Scan of <code>{_e(report.root)}</code> by minimise {_e(__version__)}"
        f' · <span id="headline">{_e(headline)}</span></p>'
        '<nav><a href="#summary">Summary</a><a href="#data-map">Data map</a><a href="#findings">Findings</a>'
        '<a href="#inventory">Inventory</a>'
        + ('<a href="#errors">Files not analysed</a>' if report.errors else "")
        + ('<a href="#rules">Rules</a>' if findings else "")
        + "</nav></header>\n"
    )
    stream.write(_summary(view, labels, sensitivity) + "\n")
    stream.write(_data_map(view, labels, sensitivity, by_place) + "\n")
    stream.write(_findings(view, _Sources(Path(report.root)), finding_ids, max(0, context_lines)) + "\n")
    stream.write(_inventory(view, inventory, taxonomy.categories, label_of) + "\n")
    errors = _errors(view)
    if errors:
        stream.write(errors + "\n")
    rules = _rules(view, all_checks())
    if rules:
        stream.write(rules + "\n")
    stream.write(
        "<footer>Generated by minimise "
        f"{_e(__version__)}. Values that look like personal data (emails, card numbers, IBANs, SSNs) are masked "
        "in messages and excerpts. This file runs no scripts and loads nothing from the network.</footer>"
        "</main></body></html>\n"
    )
