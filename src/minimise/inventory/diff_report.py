"""The inventory diff as Markdown for a pull-request comment, and as JSON.

Decisions come first, in plain words with who decides; library names, sink ids, taxonomy
keys and file:line evidence appear only inside the folded <details> block at the end.
"""

from __future__ import annotations

import json
from typing import Any

from minimise.inventory.changes import Change, InventoryDiff, phrase

SCHEMA = "minimise-inventory-diff/2"
# A hidden marker, so CI can find and update its own comment instead of adding another.
COMMENT_MARKER = "<!-- minimise-inventory-diff -->"
CHANGE_WORDS = {
    "new": "New",
    "stopped": "Stopped",
    "now_declared": "Now declared",
    "moved": "Now under another item",
    "now_disallowed": "No longer allowed",
}


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary_line(diff: InventoryDiff) -> str:
    if diff.empty:
        return f"No personal-data changes against `{diff.base}`."
    count = {kind: sum(c.change == kind for c in diff.changes) for kind in CHANGE_WORDS}
    decisions = len(diff.decisions)
    parts = [
        f"**{_plural(decisions, 'decision', 'decisions')} needed**" if decisions else "no decision needed",
        _plural(count["new"], "new use", "new uses"),
    ]
    if count["now_declared"]:
        parts.append(f"{count['now_declared']} now declared")
    parts.append(f"{count['stopped']} stopped")
    if diff.edits:
        parts.append(_plural(len(diff.edits), "inventory edit", "inventory edits"))
    return " · ".join(parts)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _what(change: Change) -> str:
    text = phrase(change.action, change.place)
    return text if change.change != "stopped" else "no longer " + text


def to_markdown(diff: InventoryDiff) -> str:
    if diff.empty:
        return f"{COMMENT_MARKER}\n{summary_line(diff)}\n"
    lines = [COMMENT_MARKER, f"### Personal data changes against `{diff.base}`", "", summary_line(diff), ""]
    decisions = diff.decisions
    if decisions:
        lines += ["#### Needs a decision", ""]
        lines += ["| # | What changes | What to decide | Who decides |", "|---|---|---|---|"]
        for n, decision in enumerate(decisions, 1):
            what, decide = _sentence(decision.what), _sentence(decision.decide)
            lines.append(f"| {n} | {_cell(what)} | {_cell(decide)} | {_cell(decision.who)} |")
        lines.append("")
    others = [c for c in diff.changes if not c.decisions]
    if others:
        lines += ["#### Other changes", "", "| Change | Data | What happens |", "|---|---|---|"]
        for change in others:
            lines.append(f"| {CHANGE_WORDS[change.change]} | {_cell(change.data)} | {_cell(_what(change))} |")
        lines.append("")
    quiet = [e for e in diff.edits if not e.widens]
    if quiet:
        lines += ["#### Other inventory edits", ""]
        lines += [f"- {_cell(e.text)}" for e in quiet]
        lines.append("")
    if diff.changes:
        lines += ["<details><summary>Evidence for developers</summary>", ""]
        for change in diff.changes:
            was = f", was `{change.was}`" if change.was else ""
            lines.append(
                f"- {CHANGE_WORDS[change.change]}: {change.data} (`{change.category}`), {change.action} via "
                f"`{change.via}` to `{change.destination}` (`{change.item_key}`{was}):"
            )
            for use in change.evidence:
                codes = f" — {', '.join(use['findings'])}" if use.get("findings") else ""
                lines.append(f"  - `{use['at']}` `{use['symbol']}`{codes}")
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def to_json(diff: InventoryDiff) -> str:
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "base": diff.base,
        "summary": summary_line(diff).replace("**", ""),
        "needs_decision": diff.needs_decision,
        "decisions": [d.to_json() for d in diff.decisions],
        "changes": [c.to_json() for c in diff.changes],
        "inventory_edits": [e.to_json() for e in diff.edits],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
