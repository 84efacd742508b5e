"""The data inventory (data-inventory.yaml) as typed, validated records.

The human file is never rewritten by minimise; see docs/inventory.md for the format.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from minimise.config import INVENTORY_FILE

SCHEMA_VERSION = 1
DEFAULT_FILE = INVENTORY_FILE

LAWFUL_BASES = ("consent", "contract", "legal_obligation", "vital_interests", "public_interest", "legitimate_interests")
SPECIAL_CATEGORY_BASES = (
    "explicit_consent",
    "employment",
    "vital_interests",
    "not_for_profit",
    "made_public",
    "legal_claims",
    "substantial_public_interest",
    "health_care",
    "public_health",
    "archiving_research",
)
RESPONSIBILITIES = ("controller", "processor", "joint_controller", "sub_processor")
RECIPIENT_KINDS = ("processor", "controller", "third_party")
ENCRYPTION = ("required", "recommended", "none")
STATUSES = ("approved", "proposed")
UNKNOWN_DATA = ("error", "warning", "note")
# protect_with words -> the protection minimise detects (model.PROTECTIONS).
PROTECT_WITH = {
    "encrypt": "encrypted",
    "hash": "hashed",
    "tokenize": "tokenised",
    "tokenise": "tokenised",
    "mask": "masked",
}
# Store kinds people write -> the sink kinds of store data points.
STORE_KINDS = {
    "database": "database",
    "sql": "database",
    "postgres": "database",
    "postgresql": "database",
    "mysql": "database",
    "sqlite": "database",
    "mongodb": "database",
    "nosql": "database",
    "document": "database",
    "dynamodb": "database",
    "cache": "cache",
    "redis": "cache",
    "memcached": "cache",
    "file": "file",
    "files": "file",
    "object_storage": "file",
    "s3": "file",
    "disk": "file",
    "cookie": "cookie",
    "browser": "cookie",
}
ACTION_KEYS = ("collect", "store", "log", "share")
# Safeguards for a transfer outside the EEA (GDPR Chapter V): key -> accepted spellings.
TRANSFER_SAFEGUARDS = {
    "adequacy": ("adequacy", "adequacy_decision"),
    "dpf": ("dpf", "data_privacy_framework", "eu_us_dpf"),
    "scc": ("scc", "sccs", "standard_contractual_clauses"),
    "bcr": ("bcr", "bcrs", "binding_corporate_rules"),
    "derogation": ("derogation", "art_49"),
    "none": ("none",),
}
# FidesKey charset, used for item ids, store and recipient names.
ID_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.<>-]*$")

# Keys renamed or removed in past fideslang versions -> the current key.
RENAMED_KEYS = {
    "user.credentials": "user.authorization.credentials",
    "user.gender": "user.demographic.gender",
    "user.date_of_birth": "user.demographic.date_of_birth",
    "user.derived.identifiable.contact": "user.contact",
    "user.provided.identifiable.contact": "user.contact",
    "user.provided.identifiable.contact.email": "user.contact.email",
    "user.provided.identifiable.contact.phone_number": "user.contact.phone_number",
    "user.provided.identifiable.name": "user.name",
    "user.provided.identifiable.credentials": "user.authorization.credentials",
    "user.derived.identifiable.location": "user.location",
    "user.derived.identifiable.device.ip_address": "user.device.ip_address",
    "personalize.profiling": "personalize.content.profiling",
    "provide": "essential",
    "provide.service": "essential.service",
    "provide.service.operations": "essential.service.operations",
    "provide.service.operations.support": "essential.service.operations.support",
    "improve": "functional.service.improve",
    "improve.system": "functional.service.improve",
    "advertising": "marketing.advertising",
    "advertising.first_party": "marketing.advertising.first_party",
    "advertising.third_party": "marketing.advertising.third_party",
}


@dataclass(frozen=True)
class Location:
    """Where a key sits in the inventory file (1-based)."""

    line: int = 1
    column: int = 1


@dataclass
class System:
    name: str = ""
    owner: str = ""
    subjects: tuple[str, ...] = ()
    responsibility: str = ""


@dataclass
class Recipient:
    name: str
    kind: str = "processor"
    purpose: str = ""
    # Where the recipient processes the data (ISO 3166 codes or names), in file order.
    countries: tuple[str, ...] = ()
    # The safeguard for a transfer outside the EEA: a TRANSFER_SAFEGUARDS key, or the text written.
    transfer: str = ""
    transfer_document: str = ""
    dpa: str = ""
    # The company's name for people ("Segment"); default from the sink it is matched by.
    vendor: str = ""
    # Sink ids (rules/sinks.yaml) that send to this recipient, besides its own name.
    via: tuple[str, ...] = ()
    at: Location = field(default_factory=Location)

    def matches(self, sink_id: str) -> bool:
        sink = sink_id.lower()
        names = {self.name.lower(), *(v.lower() for v in self.via)}
        return sink in names or sink.split(".", 1)[0] in names

    @property
    def country(self) -> str:
        return ", ".join(self.countries)


@dataclass
class Store:
    name: str
    kind: str = "database"
    encrypted_at_rest: bool = False
    via: tuple[str, ...] = ()
    at: Location = field(default_factory=Location)

    @property
    def sink_kind(self) -> str:
        return STORE_KINDS.get(self.kind, self.kind)

    def matches(self, sink_id: str, sink_kind: str) -> bool:
        sink = sink_id.lower()
        names = {self.name.lower(), *(v.lower() for v in self.via)}
        if sink in names or sink.split(".", 1)[0] in names:
            return True
        return not self.via and self.sink_kind == sink_kind


@dataclass
class Match:
    names: tuple[str, ...] = ()  # normalised: lower-case words joined by "_"
    patterns: tuple[re.Pattern[str], ...] = ()
    fields: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()  # normalised names


@dataclass
class Retention:
    period: str = ""
    after: str = ""
    until: str = ""

    def describe(self) -> str:
        if self.until:
            return f"until {self.until}"
        if self.period and self.after:
            return f"{self.period} after {self.after}"
        return self.period or self.after


@dataclass
class Item:
    id: str
    label: str
    categories: tuple[str, ...]
    sensitivity: str
    subjects: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    lawful_basis: str = ""
    special_category_basis: str = ""
    retention: Retention | None = None
    owner: str = ""
    match: Match = field(default_factory=Match)
    # action -> True (anywhere), False (never) or the store / recipient / via names allowed.
    allow: dict[str, bool | tuple[str, ...]] = field(default_factory=dict)
    encryption: str = "none"
    protect_with: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()
    status: str = "approved"
    description: str = ""
    at: Location = field(default_factory=Location)

    @property
    def category(self) -> str:
        return self.categories[0]

    def accepted_protections(self) -> frozenset[str]:
        if not self.protect_with:
            return frozenset({"encrypted", "hashed", "tokenised", "masked"})
        return frozenset(PROTECT_WITH[p] for p in self.protect_with)


@dataclass
class NonPersonal:
    name: str  # normalised
    reason: str
    pattern: re.Pattern[str] | None = None


@dataclass
class Defaults:
    unknown_data: str = ""  # "" = by sensitivity; else a fixed MIN501 severity
    log_allowed_up_to: str = ""  # sensitivity up to which logging needs no allow.log
    allow: dict[str, bool | tuple[str, ...]] = field(default_factory=dict)


@dataclass
class Inventory:
    path: str  # as shown in messages and findings
    version: int = SCHEMA_VERSION
    aliases: dict[str, str] = field(default_factory=dict)
    system: System = field(default_factory=System)
    recipients: dict[str, Recipient] = field(default_factory=dict)
    stores: dict[str, Store] = field(default_factory=dict)
    defaults: Defaults = field(default_factory=Defaults)
    items: list[Item] = field(default_factory=list)
    non_personal: list[NonPersonal] = field(default_factory=list)

    def item(self, item_id: str) -> Item | None:
        for item in self.items:
            if item.id == item_id:
                return item
        return None
