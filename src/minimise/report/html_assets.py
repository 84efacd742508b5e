"""The HTML report's stylesheet and filter script, and the Content-Security-Policy that allows exactly them."""

from __future__ import annotations

import base64
import hashlib

CSS = """
:root { --fg: #1f2933; --muted: #5f6b7a; --line: #e4e7eb; --bg: #ffffff; --soft: #f5f7fa;
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
main { max-width: 76rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; }
header.page h1 { margin: 0 0 .3rem; font-size: 1.6rem; font-weight: 600; }
dl.scan { display: flex; flex-wrap: wrap; gap: .2rem 1.4rem; margin: .3rem 0; color: var(--muted); font-size: .9rem; }
dl.scan div { display: flex; gap: .35rem; }
dl.scan dt { font-weight: 600; }
dl.scan dd { margin: 0; }
p.headline { font-size: 1.05rem; margin: .6rem 0 0; }
nav { margin: .8rem 0 0; display: flex; flex-wrap: wrap; gap: .4rem 1.2rem; font-size: .92rem; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
section { margin-top: 2rem; }
h2 { font-size: 1.3rem; font-weight: 600; border-bottom: 1px solid var(--line); padding-bottom: .35rem; }
h3 { font-size: 1.05rem; font-weight: 600; margin: 1.4rem 0 .5rem; }
h4 { font-size: .85rem; font-weight: 600; margin: .8rem 0 .25rem; color: var(--muted); text-transform: uppercase;
  letter-spacing: .03em; }
form.filters { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: end; background: var(--soft);
  border: 1px solid var(--line); border-radius: .5rem; padding: .7rem 1rem; position: sticky; top: 0; z-index: 1; }
form.filters label { display: flex; flex-direction: column; font-size: .78rem; color: var(--muted); gap: .1rem; }
form.filters select, form.filters input { font: inherit; font-size: .9rem; padding: .2rem .3rem; max-width: 16rem;
  color: var(--fg); background: var(--bg); border: 1px solid var(--line); border-radius: .3rem; }
form.filters input[type=search] { min-width: 14rem; }
.count { color: var(--muted); font-size: .9rem; margin: .6rem 0; }
article.finding { border: 1px solid var(--line); border-left: 4px solid var(--note); border-radius: .5rem;
  padding: .7rem 1rem .8rem; margin: .8rem 0; }
article.finding.sev-error { border-left-color: var(--error); }
article.finding.sev-warning { border-left-color: var(--warning); }
article.finding[hidden] { display: none; }
article.finding > header { display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: baseline; }
article.finding .message { margin: .35rem 0 .2rem; font-weight: 500; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .1rem 1rem; margin: .4rem 0; font-size: .9rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .93rem; }
td { overflow-wrap: anywhere; }
th, td { text-align: left; vertical-align: top; padding: .4rem .6rem; border-bottom: 1px solid var(--line); }
th { font-weight: 600; color: var(--muted); font-size: .82rem; text-transform: uppercase; letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre, .loc { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: .88em; }
.badge { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .8rem;
  font-weight: 600; white-space: nowrap; }
.badge.sev-error, .badge.sens-special, .badge.sens-high { color: var(--error); background: var(--error-bg); }
.badge.sev-warning, .badge.sens-medium { color: var(--warning); background: var(--warning-bg); }
.badge.sev-note { color: var(--note); background: var(--note-bg); }
.badge.sens-low, .badge.tag { color: var(--muted); background: var(--soft); border: 1px solid var(--line); }
.muted { color: var(--muted); }
.meta { color: var(--muted); font-size: .85rem; }
pre.excerpt, pre.snippet { max-width: 100%; margin: .3rem 0; background: var(--soft); border: 1px solid var(--line);
  border-radius: .4rem; padding: .4rem 0; overflow-x: auto; tab-size: 4; }
pre.snippet { padding: .4rem .8rem; }
pre.excerpt span.l { display: block; padding: 0 .8rem 0 0; white-space: pre; }
pre.excerpt span.l.hit { background: var(--hit); box-shadow: inset 3px 0 0 var(--hit-edge); }
pre.excerpt span.ln { display: inline-block; min-width: 3.5rem; padding-right: .8rem; text-align: right;
  color: var(--muted); user-select: none; }
ul.places { list-style: none; margin: 0; padding: 0; }
ol.steps { margin: .2rem 0; padding-left: 1.6rem; font-size: .92rem; }
ul.why { margin: .2rem 0; padding-left: 1.2rem; font-size: .92rem; }
details.rule { margin-top: .6rem; font-size: .93rem; }
details.rule summary { cursor: pointer; color: var(--accent); }
details.rule p { margin: .3rem 0; }
.empty { color: var(--muted); font-style: italic; }
.status-missing { color: var(--error); font-weight: 600; }
.status-ok { color: var(--muted); }
.status-unused { color: var(--warning); }
footer { margin-top: 3rem; color: var(--muted); font-size: .85rem; border-top: 1px solid var(--line);
  padding-top: 1rem; }
@media print { nav, form.filters { display: none; } article.finding { break-inside: avoid; } }
"""

# Filters: each field with data-key narrows the findings to those whose data-<key> equals its
# value; `q` searches their text. The state lives in the URL fragment (#filter?severity=error&q=x)
# so a filtered view can be linked to, and opening such a link applies it.
SCRIPT = """
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form) { return; }
  var fields = Array.prototype.slice.call(form.querySelectorAll("[data-key]"));
  var items = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  var count = document.getElementById("visible-count");
  var none = document.getElementById("no-match");
  var prefix = "#filter?";
  function state() {
    var wanted = {};
    fields.forEach(function (field) { if (field.value) { wanted[field.getAttribute("data-key")] = field.value; } });
    return wanted;
  }
  function apply() {
    var wanted = state();
    var query = (wanted.q || "").toLowerCase();
    var shown = 0;
    items.forEach(function (item) {
      var ok = Object.keys(wanted).every(function (key) {
        return key === "q" || item.getAttribute("data-" + key) === wanted[key];
      });
      if (ok && query) { ok = item.textContent.toLowerCase().indexOf(query) !== -1; }
      item.hidden = !ok;
      if (ok) { shown += 1; }
    });
    count.textContent = String(shown);
    none.hidden = shown !== 0;
    return wanted;
  }
  function remember(wanted) {
    var text = new URLSearchParams(wanted).toString();
    try {
      history.replaceState(null, "", text ? prefix + text : location.pathname + location.search);
    } catch (ignored) { /* some viewers forbid URL changes; filtering still works */ }
  }
  function load() {
    if (location.hash.indexOf(prefix) !== 0) { return false; }
    var params = new URLSearchParams(location.hash.slice(prefix.length));
    fields.forEach(function (field) { field.value = params.get(field.getAttribute("data-key")) || ""; });
    return true;
  }
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("input", function () { remember(apply()); });
  form.addEventListener("change", function () { remember(apply()); });
  window.addEventListener("hashchange", function () { if (load()) { apply(); } });
  load();
  apply();
  document.documentElement.setAttribute("data-filters", "ready");
})();
"""


def _sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


SCRIPT_HASH = _sha256(SCRIPT)
STYLE_HASH = _sha256(CSS)
# Nothing loads from anywhere; the one stylesheet and the one script run because their hashes match.
CSP = (
    f"default-src 'none'; style-src {STYLE_HASH}; script-src {SCRIPT_HASH}; img-src data:; "
    "base-uri 'none'; form-action 'none'; object-src 'none'"
)
