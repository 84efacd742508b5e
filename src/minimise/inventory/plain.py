"""Plain words for data points and inventory fields, for people who do not read code.

The words are data (plain_words.yaml); this module only chooses among them. Sink ids,
library names and taxonomy keys never leave here except as evidence.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from minimise.words import split_words
from minimise.yamlio import read_shipped_yaml

if TYPE_CHECKING:
    from minimise.knowledge import Knowledge
    from minimise.model import DataPoint

_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")
_DURATION_UNITS = ("year", "month", "week", "day", "hour", "minute", "second")
# Approximate lengths, only to tell whether a retention got longer.
_DURATION_DAYS = (365.25, 30.44, 7.0, 1.0, 1 / 24, 1 / 1440, 1 / 86400)


@dataclass(frozen=True)
class Words:
    collect_prefixes: dict[str, str]
    collect_parts: dict[str, str]
    collect_default: str
    pages: dict[str, str]
    store: dict[str, str]
    log: dict[str, str]
    vendors: dict[str, str]
    share_kinds: dict[str, str]
    lawful_bases: dict[str, str]
    special_category_bases: dict[str, str]
    protections: dict[str, str]
    transfer_safeguards: dict[str, str]
    eea: frozenset[str]
    test_folders: frozenset[str]
    test_files: tuple[str, ...]


@lru_cache(maxsize=1)
def words() -> Words:
    """plain_words.yaml, loaded once."""
    data: dict[str, Any] = read_shipped_yaml(Path(__file__).with_name("plain_words.yaml"))[0]
    collect = data["collect"]
    return Words(
        collect_prefixes=dict(collect["prefixes"]),
        collect_parts=dict(collect["parts"]),
        collect_default=collect["default"],
        pages=dict(data["pages"]),
        store=dict(data["store"]),
        log=dict(data["log"]),
        vendors=dict(data["vendors"]),
        share_kinds=dict(data["share_kinds"]),
        lawful_bases=dict(data["lawful_bases"]),
        special_category_bases=dict(data["special_category_bases"]),
        protections=dict(data["protections"]),
        transfer_safeguards=dict(data["transfer_safeguards"]),
        eea=frozenset(str(c).upper() for c in data["eea"]),
        test_folders=frozenset(data["not_production"]["folders"]),
        test_files=tuple(data["not_production"]["files"]),
    )


# --------------------------------------------------------------------------- places
def source_words(via: str) -> str:
    """``flask.request.form`` -> "web form"; ``pydantic.str`` -> "API request"."""
    w = words()
    for prefix in sorted(w.collect_prefixes, key=len, reverse=True):
        if via == prefix or via.startswith(prefix + "."):
            return w.collect_prefixes[prefix]
    last = via.rsplit(".", 1)[-1]
    return w.collect_parts.get(last, w.collect_default)


def page_words(scope: str) -> str:
    """The page a handler serves, from its name (``shop.views.signup`` -> "sign-up page"), or ""."""
    pages = words().pages
    name = scope.rsplit(".", 1)[-1]
    parts = split_words(name)
    joined = "_".join(parts)
    pairs = ["_".join(parts[i : i + 2]) for i in range(len(parts) - 1)]
    for candidate in [joined, *pairs, *parts]:
        if candidate in pages:
            return pages[candidate]
    return ""


def model_words(scope: str) -> str:
    """The plain name of an ORM model class (``shop.models.PaymentMethod`` -> "payment method"), or ""."""
    name = scope.rsplit(".", 1)[-1]
    if not name[:1].isupper():
        return ""
    return " ".join(split_words(name))


def vendor_of(sink_id: str, knowledge: Knowledge) -> str:
    """The vendor behind a sink: rules/sinks.yaml's ``vendor:`` when present, else plain_words.yaml.

    A via longer than a sink id (``segment.track``) is named by its longest known prefix.
    """
    sinks = {sink.id: sink for sink in knowledge.sinks}
    parts = sink_id.split(".")
    for end in range(len(parts), 0, -1):
        candidate = ".".join(parts[:end])
        vendor = getattr(sinks.get(candidate), "vendor", "")
        if isinstance(vendor, str) and vendor:
            return vendor
        if candidate in words().vendors:
            return words().vendors[candidate]
    return ""


def place(point: DataPoint, knowledge: Knowledge, host: str = "", vendor: str = "") -> str:
    """Where a data point happens, in plain words: "web form (sign-up page)", "customer database"."""
    w = words()
    if point.action == "collect":
        source = source_words(point.via)
        page = page_words(point.scope) if point.scope else ""
        return f"{source} ({page})" if page else source
    if point.action == "store":
        kind = point.sink_kind or "database"
        base = w.store.get(kind, w.store["default"])
        if kind == "database":
            # A model field (scope shop.models.Customer) or a write through a model (identifier Customer.email).
            owner = point.identifier.rsplit(".", 1)[0] if "." in point.identifier else ""
            model = model_words(owner) or (model_words(point.scope) if point.scope else "")
            return f"{model} {base}" if model else base
        return base
    if point.action == "log":
        return w.log.get(point.via) or w.log.get(point.sink_kind) or w.log["default"]
    return (
        vendor
        or vendor_of(point.via, knowledge)
        or host
        or w.share_kinds.get(point.sink_kind, "")
        or (w.share_kinds["default"])
    )


def generic_share_words(text: str) -> bool:
    """Whether ``text`` names a kind of service ("an outside web service"), not one vendor or host."""
    return text in words().share_kinds.values()


# --------------------------------------------------------------------------- inventory fields
def purpose_label(key: str, knowledge: Knowledge) -> str:
    entry = knowledge.taxonomy.uses.get(key)
    return entry.name if entry else key


def subject_label(key: str, knowledge: Knowledge) -> str:
    entry = knowledge.taxonomy.subjects.get(key)
    return entry.name if entry else key


def lawful_basis_label(key: str) -> str:
    return words().lawful_bases.get(key, key)


def special_basis_label(key: str) -> str:
    return words().special_category_bases.get(key, key)


def protection_label(protection: str) -> str:
    return words().protections.get(protection, protection)


def safeguard_label(safeguard: str) -> str:
    return words().transfer_safeguards.get(safeguard, safeguard)


def duration_words(period: str) -> str:
    """``P2Y`` -> "2 years"; ``P0D`` -> "not kept"; anything else is returned as written."""
    m = _DURATION.match(period)
    if not m:
        return period
    parts = [
        f"{int(n)} {unit}{'' if int(n) == 1 else 's'}"
        for n, unit in zip(m.groups(), _DURATION_UNITS, strict=True)
        if n is not None and int(n) > 0
    ]
    return " ".join(parts) if parts else "not kept"


def duration_days(period: str) -> float | None:
    """An approximate length in days, to compare retentions; None when not an ISO-8601 duration."""
    m = _DURATION.match(period)
    if not m:
        return None
    return sum(int(n) * days for n, days in zip(m.groups(), _DURATION_DAYS, strict=True) if n is not None)


def retention_words(period: str, after: str, until: str) -> str:
    """Retention as people say it: "2 years after account closed"."""
    if until:
        return f"until {until.replace('_', ' ')}"
    text = duration_words(period) if period else ""
    if after:
        event = after.replace("_", " ")
        if text == "not kept":
            return f"deleted when {event}"
        return f"{text} after {event}" if text else f"until {event}"
    return text


def in_eea(country: str) -> bool:
    return country.strip().upper() in words().eea


# --------------------------------------------------------------------------- production code
def is_production_path(path: str) -> bool:
    """False for tests, fixtures and development scripts (plain_words.yaml: not_production)."""
    w = words()
    parts = PurePosixPath(path).parts
    if any(part.lower() in w.test_folders for part in parts[:-1]):
        return False
    name = parts[-1] if parts else path
    return not any(fnmatch.fnmatch(name, pattern) for pattern in w.test_files)
