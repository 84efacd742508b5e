"""Rule documentation rendered from the checks' YAML: docs/rules/, `minimise explain CODE`, SARIF help.

One source of truth: every page is generated from the check's own what / why / example /
use_instead / fix / suppress texts and its CWE ids, so the docs, the CLI, the HTML report and
the SARIF rule help never disagree.
``scripts/generate_rule_docs.py`` writes the pages; ``tests/test_rule_docs.py`` fails when they are stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minimise.knowledge import Check

DOC_FIELDS = ("summary", "what", "why", "example", "use_instead", "fix", "suppress")
CWE_URL = "https://cwe.mitre.org/data/definitions/{id}.html"
# The official titles of the CWE entries the checks cite.
CWE_TITLES = {
    201: "Insertion of Sensitive Information Into Sent Data",
    209: "Generation of Error Message Containing Sensitive Information",
    311: "Missing Encryption of Sensitive Data",
    312: "Cleartext Storage of Sensitive Information",
    315: "Cleartext Storage of Sensitive Information in a Cookie",
    359: "Exposure of Private Personal Information to an Unauthorized Actor",
    532: "Insertion of Sensitive Information into Log File",
    540: "Inclusion of Sensitive Information in Source Code",
    598: "Use of GET Request Method With Sensitive Query Strings",
}
_GENERATED = "<!-- Generated from the checks' YAML by scripts/generate_rule_docs.py; do not edit by hand. -->"

_SEVERITY_NOTE = (
    "raised to **error** when the data is high-risk or special-category, "
    "lowered to **note** when it is of low sensitivity"
)


def all_checks() -> dict[str, Check]:
    """Every documented check, by code: the default checks (rules/checks.yaml) and the MIN5xx
    checks raised against a data inventory (src/minimise/inventory/checks.yaml)."""
    from minimise.knowledge import load_knowledge

    checks = dict(load_knowledge().checks)
    try:
        from minimise.inventory.reconcile import inventory_checks
    except ModuleNotFoundError as exc:  # a build without the inventory package
        if not (exc.name or "").startswith("minimise"):
            raise
        return dict(sorted(checks.items()))
    for code, check in inventory_checks().items():
        checks.setdefault(code, check)
    return dict(sorted(checks.items()))


def rule_url(code: str, docs_url: str | None) -> str:
    """The page of ``code`` under the team's configured ``docs-url``; "" when none is configured.

    minimise has no public documentation site, so without ``docs-url`` reports embed the rule
    text instead of linking. ``{code}`` in the URL stands for the code; otherwise the URL is the
    folder holding docs/rules/ pages, and ``/<CODE>.md`` is added.
    """
    if not docs_url:
        return ""
    if "{code}" in docs_url:
        return docs_url.replace("{code}", code)
    return f"{docs_url.rstrip('/')}/{code}.md"


def missing_fields(check: Check) -> list[str]:
    """The documentation fields a check leaves empty (each must say something)."""
    return [name for name in DOC_FIELDS if not str(getattr(check, name, "") or "").strip()]


def _paragraph(text: str) -> str:
    return text.strip() + "\n"


def _language(text: str) -> str:
    """`yaml` for inventory snippets, else `python`: the fence's language, for highlighting."""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if first == "# data-inventory.yaml" or re.match(r"^(- )?[A-Za-z_][\w.]*:(\s|$)", first):
        return "yaml"
    return "python"


def _code_block(text: str) -> str:
    body = text.strip("\n").rstrip()
    fence = "```"
    while fence in body:
        fence += "`"
    return f"{fence}{_language(body)}\n{body}\n{fence}\n"


def cwe_title(cwe: int) -> str:
    return CWE_TITLES.get(cwe, f"CWE-{cwe}")


def cwe_url(cwe: int) -> str:
    return CWE_URL.format(id=cwe)


def silencing_notes(check: Check) -> list[str]:
    """Sentences on the extra ways to silence a check's findings (flake8 noqa, inventory non_personal)."""
    notes = []
    if "noqa" in check.silenced_by:
        notes.append(
            f"`# noqa: {check.code}` at the end of the line: `minimise scan` and the flake8 plugin both read "
            "it as flake8 does. It covers that physical line only and carries no reason; "
            f"`# minimise: ignore[{check.code}] <reason>` covers the whole statement and says why."
        )
    if "non_personal" in check.silenced_by:
        notes.append(
            "When the name is not personal data at all: list it under `non_personal` in "
            "data-inventory.yaml with a reason (`non_personal: [{name: email_template_id, reason: template key}]`, "
            "or `{pattern: ..., reason: ...}`); scans that use the inventory then raise nothing for it."
        )
    return notes


def _values(value: Any) -> str:
    items = value if isinstance(value, (list, tuple)) else [value]
    return ", ".join(f"`{v}`" for v in items)


def describe_selection(applies: Mapping[str, Any]) -> str:
    """A sentence saying which data points a check looks at, from its `when` clause ('' without one:
    the inventory checks decide in code, and their "What it finds" says when)."""
    parts: list[str] = []
    if "action" in applies:
        parts.append(f"action {_values(applies['action'])}")
    if "kinds" in applies:
        parts.append(f"destination kind {_values(applies['kinds'])}")
    if "not_kinds" in applies:
        parts.append(f"destination kind not {_values(applies['not_kinds'])}")
    if "not_categories" in applies:
        parts.append(f"category not {_values(applies['not_categories'])}")
    if "protection" in applies:
        parts.append(f"protection {_values(applies['protection'])}")
    if "min_sensitivity" in applies:
        parts.append(f"sensitivity {_values(applies['min_sensitivity'])} or above")
    if not parts:
        return ""
    return "Applies to data points with " + "; ".join(parts) + "."


def _facts(check: Check) -> str:
    selection = describe_selection(check.applies)
    lines = [f"- **Default severity:** {check.severity} ({_SEVERITY_NOTE})"]
    if selection:
        lines.append(f"- **Selection:** {selection}")
    if check.cwe:
        cited = ", ".join(f"[CWE-{c}]({cwe_url(c)}) {cwe_title(c)}" for c in check.cwe)
        lines.append(f"- **CWE:** {cited}")
    else:
        lines.append("- **CWE:** none (a bookkeeping check, not a security weakness)")
    if check.precision:
        lines.append(f"- **Precision:** {check.precision}")
    return "\n".join(lines) + "\n"


def _suppress_section(check: Check) -> str:
    notes = silencing_notes(check)
    text = _paragraph(check.suppress)
    if notes:
        text += "\n" + "".join(f"- {note}\n" for note in notes)
    return text


def render_rule_body(check: Check) -> str:
    """The sections of a rule page without its title: used for pages and SARIF `help.markdown`."""
    return "\n".join(
        [
            _paragraph(check.summary),
            _facts(check),
            "## What it finds\n",
            _paragraph(check.what),
            "## Why it matters\n",
            _paragraph(check.why),
            "## Example\n",
            _code_block(check.example),
            "## Use instead\n",
            _code_block(check.use_instead),
            "## How to fix\n",
            _paragraph(check.fix),
            "## How to suppress\n",
            _suppress_section(check),
        ]
    )


def render_rule_page(check: Check, *, generated_comment: bool = True) -> str:
    """The Markdown page docs/rules/<CODE>.md for one check (`minimise explain` drops the comment)."""
    page = f"# {check.code}: {check.name}\n\n{render_rule_body(check)}"
    return f"{_GENERATED}\n\n{page}" if generated_comment else page


def _indented(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.strip("\n").rstrip().splitlines())


def render_rule_text(check: Check) -> str:
    """The plain-text help of a check (SARIF `help.text`)."""
    cwe = ", ".join(f"CWE-{c} {cwe_title(c)}" for c in check.cwe) or "none"
    suppress = check.suppress.strip() + "".join(f"\n- {note}" for note in silencing_notes(check))
    return (
        f"{check.summary.strip()}\n\n"
        f"CWE: {cwe}\n\n"
        f"What it finds:\n{check.what.strip()}\n\n"
        f"Why it matters:\n{check.why.strip()}\n\n"
        f"Example:\n{_indented(check.example)}\n"
        f"Use instead:\n{_indented(check.use_instead)}\n"
        f"How to fix:\n{check.fix.strip()}\n\n"
        f"How to suppress:\n{suppress}\n"
    )


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _cwe_cell(check: Check) -> str:
    return ", ".join(f"[CWE-{c}]({cwe_url(c)})" for c in check.cwe) or "—"


def render_index(checks: Iterable[Check]) -> str:
    """docs/rules/README.md: one table row per check, sorted by code."""
    rows = [
        f"| [{c.code}]({c.code}.md) | `{c.name}` | {c.severity} | {_cwe_cell(c)} | {_cell(c.summary)} |"
        for c in sorted(checks, key=lambda c: c.code)
    ]
    return (
        f"{_GENERATED}\n\n"
        "# Rules\n\n"
        "Every coded finding minimise raises: the default checks (`rules/checks.yaml`) and the checks run\n"
        "against a data inventory (`src/minimise/inventory/checks.yaml`). Run `minimise explain CODE` for\n"
        "the same page in a terminal.\n"
        "The default severity is raised to error for high-risk and special-category data and lowered to\n"
        "note for low-sensitivity data.\n\n"
        "| Code | Name | Default severity | CWE | Summary |\n"
        "|---|---|---|---|---|\n" + "\n".join(rows) + "\n"
    )


def expected_files(checks: Iterable[Check]) -> dict[str, str]:
    """File name (inside docs/rules/) -> content, for every generated file."""
    ordered = sorted(checks, key=lambda c: c.code)
    files = {f"{c.code}.md": render_rule_page(c) for c in ordered}
    files["README.md"] = render_index(ordered)
    return files
