"""The HTML report's data sections: the declared inventory against what the code does, and the data map."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from minimise.model import ACTIONS, DataPoint, Report
from minimise.redact import redact_text
from minimise.report.markup import escape as _e

if TYPE_CHECKING:
    from minimise.inventory.schema import Inventory, Item
    from minimise.report.context import RenderContext

_ACTION_TITLES = {"collect": "Collected", "store": "Stored", "log": "Logged", "share": "Shared with"}
_SHOWN_PLACES = 5


def badge(kind: str, value: str) -> str:
    return f'<span class="badge {kind}-{_e(value)}">{_e(value)}</span>'


def location(path: str, line: int, column: int = 0) -> str:
    where = f":{line}" if line else ""
    if line and column:
        where += f":{column}"
    return f'<span class="loc">{_e(path)}{where}</span>'


def _allowed(item: Item) -> str:
    parts = []
    for action in ACTIONS:
        value = item.allow.get(action)
        if value is True:
            parts.append(_e(action))
        elif value:
            parts.append(f"{_e(action)}: {', '.join(_e(v) for v in value)}")
    return "; ".join(parts) or '<span class="muted">nothing</span>'


def _places(points: list[DataPoint]) -> str:
    shown = "".join(
        f"<li>{location(p.path, p.line)} <span class='muted'>{_e(p.action)} via {_e(p.via)} · "
        f"<code>{_e(redact_text(p.identifier))}</code></span></li>"
        for p in points[:_SHOWN_PLACES]
    )
    more = len(points) - _SHOWN_PLACES
    extra = f'<li class="muted">and {more} more</li>' if more > 0 else ""
    return f'<ul class="places">{shown}{extra}</ul>'


def inventory_section(report: Report, context: RenderContext) -> str:
    head = '<section id="inventory"><h2>Data inventory: declared, observed, undeclared</h2>'
    inventory = context.inventory
    if inventory is None:
        if context.inventory_path:
            return (
                f'{head}<p class="empty" id="no-inventory">The scan used {_e(context.inventory_path)}, but it could '
                "not be read again for this report.</p></section>"
            )
        return (
            f'{head}<p class="empty" id="no-inventory">This scan used no data inventory.</p>'
            "<p>A data inventory states which personal data the project means to collect, where it is stored and "
            "who it is shared with; minimise then reports what the code does beyond it. Start one with "
            "<code>minimise inventory init</code>, review it, and commit it next to the code.</p></section>"
        )
    return head + _inventory_tables(report, inventory, context) + "</section>"


def _inventory_tables(report: Report, inventory: Inventory, context: RenderContext) -> str:
    from minimise.inventory.reconcile import resolve

    by_item: dict[str, list[DataPoint]] = defaultdict(list)
    undeclared: dict[str, list[DataPoint]] = defaultdict(list)
    silenced = 0
    for point in sorted(report.data_points, key=DataPoint.sort_key):
        resolution = resolve(point, inventory)
        if resolution.silenced:
            silenced += 1
        elif resolution.item is None:
            undeclared[point.category].append(point)
        else:
            by_item[resolution.item.id].append(point)
    label_of = context.knowledge.label_of
    observed = sum(len(v) for v in by_item.values())
    missing = sum(len(v) for v in undeclared.values())
    parts = [
        f'<p id="inventory-summary">{_e(inventory.path)}: {len(inventory.items)} items declared; '
        f"{observed} data points match a declared item, {missing} match none"
        + (f", {silenced} are silenced as not personal" if silenced else "")
        + ".</p>",
        '<h3>Declared</h3><table id="inventory-declared"><thead><tr><th>Item</th><th>Category</th>'
        '<th>Allowed</th><th class="num">Data points</th><th>Status</th></tr></thead><tbody>',
    ]
    for item in inventory.items:
        points = by_item.get(item.id, [])
        actions = Counter(p.action for p in points)
        status = (
            f'<span class="status-ok">observed ({", ".join(f"{_e(a)} {actions[a]}" for a in ACTIONS if actions[a])})'
            "</span>"
            if points
            else '<span class="status-unused">declared, not observed</span>'
        )
        categories = ", ".join(f"<code>{_e(c)}</code>" for c in item.categories)
        parts.append(
            f'<tr data-item="{_e(item.id)}"><td><code>{_e(item.id)}</code><div class="meta">{_e(item.label)}</div></td>'
            f"<td>{categories} {badge('sens', item.sensitivity)}</td><td>{_allowed(item)}</td>"
            f'<td class="num">{len(points)}</td><td>{status}</td></tr>'
        )
    parts.append("</tbody></table>")
    parts.append("<h3>Observed, not declared</h3>")
    if not undeclared:
        parts.append('<p class="empty" id="inventory-undeclared">Every data point matches a declared item.</p>')
    else:
        parts.append(
            '<table id="inventory-undeclared"><thead><tr><th>Category</th><th class="num">Data points</th>'
            "<th>Where</th></tr></thead><tbody>"
        )
        for category in sorted(undeclared):
            points = undeclared[category]
            parts.append(
                f'<tr data-category="{_e(category)}"><td>{_e(label_of(category))}<div class="meta"><code>'
                f'{_e(category)}</code></div></td><td class="num">{len(points)}</td><td>{_places(points)}</td></tr>'
            )
        parts.append("</tbody></table>")
    return "".join(parts)


def data_map(report: Report, context: RenderContext, finding_ids: dict[tuple[str, int, str, str], str]) -> str:
    """Per category, where it is collected, stored, logged and shared; places with a finding link to it."""
    parts = [
        '<section id="data-map"><h2>Data map</h2>'
        '<p class="muted">Where each category of personal data is collected, stored, logged and shared.</p>'
    ]
    if not report.data_points:
        parts.append('<p class="empty">No data points.</p></section>')
        return "".join(parts)
    by_category: dict[str, dict[str, list[DataPoint]]] = defaultdict(lambda: defaultdict(list))
    for p in sorted(report.data_points, key=DataPoint.sort_key):
        by_category[p.category][p.action].append(p)
    knowledge = context.knowledge
    parts.append(
        '<table id="by-category"><thead><tr><th>Category</th><th>Action</th><th>Where</th></tr></thead><tbody>'
    )
    for category in sorted(by_category):
        actions = by_category[category]
        rows = [a for a in ACTIONS if actions.get(a)]
        for n, action in enumerate(rows):
            items = []
            for p in actions[action]:
                where = location(p.path, p.line)
                target = finding_ids.get((p.path, p.line, p.category, p.action))
                if target:
                    where = f'<a href="#{target}">{where}</a>'
                protection = "" if p.protection == "none" else f" · {_e(p.protection)}"
                items.append(
                    f"<li>{where} <span class='muted'>via {_e(p.via)}{protection} · "
                    f"<code>{_e(redact_text(p.identifier))}</code></span></li>"
                )
            head = (
                f'<td rowspan="{len(rows)}">{_e(knowledge.label_of(category))}<div class="meta"><code>{_e(category)}'
                f"</code> {badge('sens', knowledge.sensitivity_of(category))}</div></td>"
                if n == 0
                else ""
            )
            parts.append(
                f"<tr>{head}<td>{_e(_ACTION_TITLES.get(action, action))}</td>"
                f'<td><ul class="places">{"".join(items)}</ul></td></tr>'
            )
    parts.append("</tbody></table></section>")
    return "".join(parts)
