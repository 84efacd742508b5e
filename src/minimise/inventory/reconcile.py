"""Checking data points against the declared inventory: findings MIN501-MIN506.

Matching order for each data point: ``non_personal`` silences; then ``match.fields`` (the
point's scope + identifier), an item's ``match.exclude`` (silences), exact ``match.names``,
``match.patterns``, and last the category (an item whose category is the detected one or a
parent of it; a declared child never covers a detected parent).
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from minimise.checks import default_findings, make_finding, reported_at_their_sink
from minimise.inventory.patterns import normalise_name, pattern_matches
from minimise.inventory.schema import Inventory, Item
from minimise.knowledge.checks import load_checks
from minimise.model import SENSITIVITIES, DataPoint, Finding
from minimise.taxonomy import Taxonomy

if TYPE_CHECKING:
    from minimise.knowledge import Check, Knowledge

PAST = {"collect": "collected", "store": "stored", "log": "logged", "share": "shared"}
INVENTORY_SCOPE = "data-inventory"


@lru_cache(maxsize=1)
def inventory_checks() -> dict[str, Check]:
    """The MIN5xx checks, documented in inventory/checks.yaml (kept in the signed rules cache)."""
    from minimise.knowledge.compiled import cached_rules

    return cached_rules("inventory-checks", _read_inventory_checks, dict)


def _read_inventory_checks() -> dict[str, Check]:
    from minimise.knowledge import RuleReader
    from minimise.taxonomy import load_taxonomy
    from minimise.yamlio import read_shipped_yaml

    path = Path(__file__).with_name("checks.yaml")
    data, text = read_shipped_yaml(path)
    return load_checks(RuleReader(path, text), data, load_taxonomy())


# --------------------------------------------------------------------------- matching
@dataclass(frozen=True)
class Resolution:
    """Which item a data point belongs to, or why it is silent."""

    item: Item | None = None
    how: str = ""  # field, name, pattern, category
    silenced: str = ""  # reason, when non_personal or an exclude applies


def point_names(point: DataPoint) -> tuple[str, ...]:
    """The normalised names a data point is known by: its full identifier and its last part."""
    full = normalise_name(point.identifier)
    last = normalise_name(point.identifier.rsplit(".", 1)[-1])
    return (full, last) if last != full else (full,)


def point_symbol(point: DataPoint) -> str:
    """The code symbol of a data point: its scope and identifier (never its line)."""
    if not point.scope:
        return point.identifier
    return f"{point.scope}.{point.identifier}" if point.identifier else point.scope


def _field_matches(point: DataPoint, qualified: str) -> bool:
    last = point.identifier.rsplit(".", 1)[-1]
    for symbol in {f"{point.scope}.{last}", f"{point.scope}.{point.identifier}"}:
        if symbol == qualified or symbol.endswith("." + qualified) or qualified.endswith("." + symbol):
            return True
    return False


def _covers_any(item: Item, category: str) -> bool:
    return any(Taxonomy.covers(c, category) for c in item.categories)


def _specificity(item: Item, category: str) -> int:
    return max((len(c) for c in item.categories if Taxonomy.covers(c, category)), default=-1)


def _best(candidates: list[Item], category: str) -> Item:
    """Prefer the item whose category is closest to the detected one; then declaration order."""
    return max(candidates, key=lambda it: _specificity(it, category))


def resolve(point: DataPoint, inventory: Inventory) -> Resolution:
    names = point_names(point)
    for entry in inventory.non_personal:
        if (entry.name and entry.name in names) or (
            entry.pattern is not None and any(pattern_matches(entry.pattern, n) for n in names)
        ):
            return Resolution(silenced=f"non_personal: {entry.reason}")
    by_field = [it for it in inventory.items if any(_field_matches(point, f) for f in it.match.fields)]
    if by_field:
        return Resolution(_best(by_field, point.category), "field")
    for item in inventory.items:
        if item.match.exclude and any(n in item.match.exclude for n in names):
            if _covers_any(item, point.category) or any(n in item.match.names for n in names):
                return Resolution(silenced=f"excluded by item {item.id}")
    by_name = [it for it in inventory.items if any(n in it.match.names for n in names)]
    if by_name:
        return Resolution(_best(by_name, point.category), "name")
    by_pattern = [it for it in inventory.items if any(pattern_matches(p, n) for p in it.match.patterns for n in names)]
    if by_pattern:
        return Resolution(_best(by_pattern, point.category), "pattern")
    by_category = [it for it in inventory.items if _covers_any(it, point.category)]
    if by_category:
        return Resolution(_best(by_category, point.category), "category")
    return Resolution()


# --------------------------------------------------------------------------- destinations
def matching_stores(point: DataPoint, inventory: Inventory, names: Iterable[str] | None = None) -> list[str]:
    pool = list(names) if names is not None else list(inventory.stores)
    return [n for n in pool if n in inventory.stores and inventory.stores[n].matches(point.via, point.sink_kind)]


def matching_recipients(point: DataPoint, inventory: Inventory, names: Iterable[str] | None = None) -> list[str]:
    pool = list(names) if names is not None else list(inventory.recipients)
    return [n for n in pool if n in inventory.recipients and inventory.recipients[n].matches(point.via)]


def destination_of(point: DataPoint, inventory: Inventory | None) -> str:
    """The declared store or recipient a data point goes to, else its sink id."""
    if inventory is not None:
        if point.action == "store":
            found = matching_stores(point, inventory)
            if found:
                return found[0]
        if point.action == "share":
            found = matching_recipients(point, inventory)
            if found:
                return found[0]
    return point.via


def _via_listed(via: str, names: tuple[str, ...]) -> bool:
    low = via.lower()
    return any(low == n.lower() or low.startswith(n.lower() + ".") for n in names)


def _path_allowed(path: str, globs: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatch(path, g) or fnmatch.fnmatch(path, g.rstrip("/") + "/*") for g in globs)


@dataclass
class UseCheck:
    """The outcome of checking one data point against its item."""

    code: str = ""  # MIN502 or MIN503, or "" when the use is declared
    reason: str = ""
    unencrypted: bool = False  # MIN504
    destinations: list[str] = field(default_factory=list)


def _destination_reason(
    action: str, point: DataPoint, item_id: str, allowed: tuple[str, ...], destinations: list[str]
) -> str:
    """Why a store or a share falls outside the item's allowed destinations."""
    if action == "store":
        if destinations:
            return f"store {destinations[0]} is not in allow.store of item {item_id}"
        return (
            f"no declared store matches {point.via} ({point.sink_kind}); "
            f"item {item_id} allows store only in {', '.join(allowed) or 'nothing'}"
        )
    if destinations:
        return f"recipient {destinations[0]} is not in allow.share of item {item_id}"
    return f"{point.via} is not a declared recipient of item {item_id} (allowed: {', '.join(allowed) or 'none'})"


def check_use(point: DataPoint, item: Item, inventory: Inventory) -> UseCheck:
    action = point.action
    allowed = item.allow.get(action)
    threshold = inventory.defaults.log_allowed_up_to
    if (
        action == "log"
        and allowed is None
        and threshold
        and SENSITIVITIES.index(item.sensitivity) <= SENSITIVITIES.index(threshold)
    ):
        allowed = True
    result = UseCheck()
    # Stores and recipients are matched the same way; only the matcher and the wording differ.
    matcher = {"store": matching_stores, "share": matching_recipients}.get(action)
    if matcher is not None:
        result.destinations = matcher(point, inventory)
    if not allowed:
        result.code = "MIN502"
        result.reason = f"item {item.id} does not allow {action}"
    elif isinstance(allowed, tuple):
        if matcher is not None:
            listed = matcher(point, inventory, allowed)
            if not listed:
                result.code = "MIN503"
                result.reason = _destination_reason(action, point, item.id, allowed, result.destinations)
            result.destinations = listed or result.destinations
        elif not _via_listed(point.via, allowed):
            result.code = "MIN503"
            result.reason = f"{point.via} is not in allow.{action} of item {item.id}"
    if not result.code and action == "share" and item.purposes:
        for name in result.destinations:
            recipient = inventory.recipients[name]
            if recipient.purpose and not any(Taxonomy.covers(p, recipient.purpose) for p in item.purposes):
                result.code = "MIN503"
                result.reason = (
                    f"recipient {name} is used for {recipient.purpose}, "
                    f"which is not among the purposes of item {item.id}"
                )
                break
    if not result.code and item.paths and not _path_allowed(point.path, item.paths):
        result.code = "MIN503"
        result.reason = f"{point.path} is outside the paths of item {item.id}"
    if (
        action in ("store", "share")
        and item.encryption == "required"
        and point.protection not in item.accepted_protections()
    ):
        if action == "store":
            result.unencrypted = not any(inventory.stores[s].encrypted_at_rest for s in result.destinations)
        else:
            result.unencrypted = result.code != "" or not result.destinations
    return result


def _protection_needed(item: Item) -> str:
    words = {
        "encrypt": "encryption",
        "hash": "hashing",
        "tokenize": "tokenisation",
        "tokenise": "tokenisation",
        "mask": "masking",
    }
    wanted = [words[p] for p in item.protect_with] or ["encryption, hashing or tokenisation"]
    return " or ".join(dict.fromkeys(wanted))


# --------------------------------------------------------------------------- findings
@dataclass
class Reconciled:
    findings: list[Finding]
    resolutions: dict[DataPoint, Resolution]
    point_codes: dict[DataPoint, list[str]]


def inventory_point(inventory: Inventory, item: Item) -> DataPoint:
    """A stand-in data point for findings about the inventory itself (MIN505, MIN506)."""
    return DataPoint(
        path=inventory.path,
        line=item.at.line,
        column=item.at.column,
        action="",
        category=item.category,
        sensitivity=item.sensitivity,
        identifier=item.id,
        via="",
        protection="none",
        scope=INVENTORY_SCOPE,
    )


def reconcile(points: Iterable[DataPoint], inventory: Inventory, knowledge: Knowledge, full_scan: bool) -> Reconciled:
    checks = inventory_checks()
    ordered = sorted(points, key=DataPoint.sort_key)
    defaults_by_point: dict[tuple[str, int, int, str, str, str], list[Finding]] = {}
    for finding in default_findings(ordered, knowledge):
        defaults_by_point.setdefault(_point_key_of(finding), []).append(finding)
    findings: list[Finding] = []
    seen: dict[str, int] = {}
    resolutions: dict[DataPoint, Resolution] = {}
    point_codes: dict[DataPoint, list[str]] = {}
    used: set[str] = set()
    echoes = reported_at_their_sink(ordered)
    for point in ordered:
        res = resolve(point, inventory)
        resolutions[point] = res
        defaults = defaults_by_point.get(_point_key(point), [])
        if res.silenced or point in echoes:
            point_codes[point] = []
            continue
        past = PAST.get(point.action, point.action)
        own: list[Finding] = []
        if res.item is None:
            finding = make_finding(checks["MIN501"], point, knowledge, seen, action_past=past)
            if inventory.defaults.unknown_data:
                finding = dataclasses.replace(finding, severity=inventory.defaults.unknown_data)
            own.append(finding)
            # The inventory verdict replaces the default one, but an unencrypted store is still worth saying.
            keep_defaults = [f for f in defaults if f.code == "MIN201"]
        else:
            item = res.item
            used.add(item.id)
            use = check_use(point, item, inventory)
            extra = {"label": item.label, "item": item.id, "action_past": past}
            if use.code:
                own.append(make_finding(checks[use.code], point, knowledge, seen, reason=use.reason, **extra))
            if use.unencrypted:
                own.append(
                    make_finding(
                        checks["MIN504"], point, knowledge, seen, protection_needed=_protection_needed(item), **extra
                    )
                )
            if use.code:
                keep_defaults = [f for f in defaults if f.code == "MIN201" and not use.unencrypted]
            else:
                keep_defaults = []
        findings.extend(own)
        findings.extend(keep_defaults)
        point_codes[point] = sorted({f.code for f in own + keep_defaults})
    for item in inventory.items:
        stand_in = inventory_point(inventory, item)
        if item.sensitivity in ("high", "special"):
            missing = []
            if not item.lawful_basis:
                missing.append("lawful_basis")
            if item.sensitivity == "special" and not item.special_category_basis:
                missing.append("special_category_basis")
            if item.retention is None:
                missing.append("retention")
            if missing:
                finding = make_finding(
                    checks["MIN506"],
                    stand_in,
                    knowledge,
                    seen,
                    label=item.label,
                    item=item.id,
                    sensitivity=item.sensitivity,
                    missing=" or ".join(missing),
                )
                findings.append(dataclasses.replace(finding, severity=checks["MIN506"].severity))
        if full_scan and item.id not in used and item.status != "proposed":
            finding = make_finding(checks["MIN505"], stand_in, knowledge, seen, label=item.label, item=item.id)
            findings.append(dataclasses.replace(finding, severity=checks["MIN505"].severity))
    return Reconciled(findings, resolutions, point_codes)


def _point_key(point: DataPoint) -> tuple[str, int, int, str, str, str]:
    return (point.path, point.line, point.column, point.action, point.category, point.identifier)


def _point_key_of(finding: Finding) -> tuple[str, int, int, str, str, str]:
    return (finding.path, finding.line, finding.column, finding.action, finding.category, finding.identifier)


def inventory_findings(
    points: Iterable[DataPoint], inventory: Inventory, knowledge: Knowledge, full_scan: bool
) -> list[Finding]:
    """Findings for ``points`` under ``inventory``: MIN5xx plus the default findings it does not cover."""
    return reconcile(points, inventory, knowledge, full_scan).findings


# --------------------------------------------------------------------------- scan hook
def find_inventory(root: Path) -> Path | None:
    """``data-inventory.yaml`` in ``root`` or the current folder, if there is one."""
    from minimise.inputs import inside
    from minimise.inventory.schema import DEFAULT_FILE

    for folder in (root, Path(".")):
        candidate = folder / DEFAULT_FILE
        if candidate.is_file() and inside(candidate, folder):  # a link out of the project is not ours
            return candidate
    return None


def display_path(path: Path, root: Path | None = None) -> str:
    """How the inventory file is named in findings: relative to the scan root when inside it."""
    import os

    for base in (root, Path(".")):
        if base is None:
            continue
        try:
            rel = os.path.relpath(path.resolve(), base.resolve())
        except ValueError:
            continue
        if not rel.startswith(".."):
            return Path(rel).as_posix()
    return path.as_posix()


def build_policy(
    inventory_path: Path | None, knowledge: Knowledge, full_scan: bool, root: Path | None = None
) -> Callable[[list[DataPoint]], list[Finding]]:
    """The ScanOptions.policy for an inventory; the default policy when ``inventory_path`` is None.

    Loads the inventory now, so a broken file raises InventoryError before the scan starts.
    """
    if inventory_path is None:
        return lambda points: default_findings(points, knowledge)
    from minimise.inventory.load import load_inventory

    inventory = load_inventory(inventory_path, display_path(inventory_path, root), knowledge)

    def policy(points: list[DataPoint]) -> list[Finding]:
        return inventory_findings(points, inventory, knowledge, full_scan)

    return policy
