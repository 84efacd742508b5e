"""Checking code against the data inventory: MIN501-MIN506 on a small project in tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from minimise.engine import EngineOptions
from minimise.inventory import build_policy, inventory_findings, parse_inventory
from minimise.inventory.reconcile import inventory_checks, resolve
from minimise.knowledge import load_knowledge
from minimise.model import DataPoint, Finding
from minimise.scan import ScanOptions, scan

# The same shop as the inventory CLI tests use (tests/fixtures/inventory/project/).
PROJECT = Path(__file__).parent / "fixtures" / "inventory" / "project" / "shop"
MODELS = (PROJECT / "models.py").read_text(encoding="utf-8")
VIEWS = (PROJECT / "views.py").read_text(encoding="utf-8")

INVENTORY = """\
version: 1
recipients:
  segment: {kind: processor, purpose: analytics.reporting, country: US}
  sentry: {kind: processor, purpose: essential.service.operations.support}
stores:
  primary_db: {kind: database, encrypted_at_rest: false}
data:
  - id: customer_email
    label: Email address
    category: user.contact.email
    purposes: [essential.service.notifications, analytics.reporting]
    lawful_basis: contract
    retention: P2Y
    match: {fields: [shop.models.Customer.email], names: [email]}
    allow: {collect: true, store: [primary_db], share: [segment, sentry], log: false}
  - id: card_number
    label: Card number
    category: user.financial
    lawful_basis: contract
    retention: P0D
    allow: {collect: true, store: [primary_db]}
  - id: phone
    category: user.contact.phone_number
    match: {exclude: [reception_phone]}
    allow: {store: [primary_db]}
  - id: national_id
    category: user.government_id
    allow: {store: [primary_db]}
  - id: fax
    category: user.contact.fax_number
non_personal: [{name: office_phone, reason: our switchboard}]
"""


def _project(tmp_path: Path, inventory: str = INVENTORY) -> Path:
    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "models.py").write_text(MODELS, encoding="utf-8")
    (tmp_path / "shop" / "views.py").write_text(VIEWS, encoding="utf-8")
    (tmp_path / "data-inventory.yaml").write_text(inventory, encoding="utf-8")
    return tmp_path


def _scan(root: Path, full_scan: bool = True, paths: list[Path] | None = None) -> list[Finding]:
    knowledge = load_knowledge()
    policy = build_policy(root / "data-inventory.yaml", knowledge, full_scan, root=root)
    options = ScanOptions(paths=paths or [root], root=root, engine=EngineOptions(), jobs=1, policy=policy)
    return scan(options).findings


def _rows(findings: list[Finding]) -> list[tuple[str, str, int, str, str]]:
    return [(f.code, f.path, f.line, f.category, f.severity) for f in findings]


def test_each_code_on_the_fixture(tmp_path: Path) -> None:
    root = _project(tmp_path)
    assert _rows(_scan(root)) == [
        ("MIN506", "data-inventory.yaml", 26, "user.government_id", "warning"),
        ("MIN505", "data-inventory.yaml", 29, "user.contact.fax_number", "note"),
        ("MIN504", "shop/models.py", 6, "user.financial.credit_card", "error"),
        ("MIN504", "shop/models.py", 8, "user.government_id.national_identification_number", "error"),
        ("MIN502", "shop/views.py", 13, "user.contact.email", "warning"),
        ("MIN503", "shop/views.py", 15, "user.contact.email", "warning"),
        ("MIN503", "shop/views.py", 16, "user.contact.email", "warning"),
        ("MIN501", "shop/views.py", 17, "user.demographic.date_of_birth", "warning"),
    ]


def test_messages_say_what_and_why(tmp_path: Path) -> None:
    by_place = {(f.code, f.line): f.message for f in _scan(_project(tmp_path))}
    label = load_knowledge().label_of
    assert by_place[("MIN502", 13)] == (
        "Email address (user.contact.email) is logged via logging but item customer_email does not allow log: `email`"
    )
    assert by_place[("MIN503", 15)] == (
        "Email address (user.contact.email) is shared via mixpanel: mixpanel is "
        "not a declared recipient of item customer_email (allowed: segment, sentry)"
        ": `email`"
    )
    assert by_place[("MIN503", 16)] == (
        "Email address (user.contact.email) is shared via sentry: recipient sentry "
        "is used for essential.service.operations.support, which is not among the "
        "purposes of item customer_email: `email`"
    )
    assert by_place[("MIN501", 17)] == (
        f"{label('user.demographic.date_of_birth')} (user.demographic.date_of_birth) "
        "is collected via "
        "django.request.POST but is not in the data inventory: `birth_date`"
    )
    assert by_place[("MIN504", 6)] == (
        "Card number (user.financial.credit_card) is stored via "
        "django.db.models.CharField without encryption, hashing or tokenisation"
        ": `card_number`"
    )
    assert by_place[("MIN506", 26)] == (
        f"item national_id ({label('user.government_id')}) is high data but has no "
        "lawful_basis or "
        "retention: `national_id`"
    )
    assert by_place[("MIN505", 29)] == (
        f"item fax ({label('user.contact.fax_number')}) is declared but the scanned code never handles it: `fax`"
    )


def test_declared_but_unused_only_on_full_scans(tmp_path: Path) -> None:
    root = _project(tmp_path)
    partial = _scan(root, full_scan=False, paths=[root / "shop" / "views.py"])
    assert "MIN505" not in {f.code for f in partial}


def test_encrypted_store_and_accepted_protection_silence_min504(tmp_path: Path) -> None:
    root = _project(tmp_path, INVENTORY.replace("encrypted_at_rest: false", "encrypted_at_rest: true"))
    assert "MIN504" not in {f.code for f in _scan(root)}


def test_undeclared_store_and_default_log_threshold(tmp_path: Path) -> None:
    text = INVENTORY.replace(
        "allow: {store: [primary_db]}\n  - id: national_id", "allow: {store: [sessions]}\n  - id: national_id"
    )
    text = text.replace("stores:\n", "stores:\n  sessions: {kind: redis}\n")
    text = text.replace("version: 1\n", "version: 1\ndefaults: {log_allowed_up_to: medium, unknown_data: error}\n")
    rows = _rows(_scan(_project(tmp_path, text)))
    assert ("MIN503", "shop/models.py", 7, "user.contact.phone_number", "warning") in rows
    assert ("MIN501", "shop/views.py", 17, "user.demographic.date_of_birth", "error") in rows
    # log: false is explicit for customer_email, so the default threshold does not allow it.
    assert ("MIN502", "shop/views.py", 13, "user.contact.email", "warning") in rows


def test_without_an_inventory_the_default_policy_runs(tmp_path: Path) -> None:
    root = _project(tmp_path)
    knowledge = load_knowledge()
    options = ScanOptions(paths=[root], root=root, jobs=1, policy=build_policy(None, knowledge, True))
    default = ScanOptions(paths=[root], root=root, jobs=1)
    assert scan(options).findings == scan(default).findings


def _point(
    identifier: str,
    category: str,
    scope: str = "app.models.User",
    action: str = "store",
    via: str = "django.db.models.CharField",
    sink_kind: str = "database",
) -> DataPoint:
    from minimise.knowledge import load_knowledge

    return DataPoint(
        path="app/models.py",
        line=3,
        column=5,
        action=action,
        category=category,
        sensitivity=load_knowledge().sensitivity_of(category),
        identifier=identifier,
        via=via,
        protection="none",
        scope=scope,
        sink_kind=sink_kind,
    )


MATCHING = """\
version: 1
data:
  - id: by_field
    category: user.account
    match: {fields: [app.models.User.contact_value]}
  - id: by_name
    category: user.name
    match: {names: [handle]}
  - id: by_pattern
    category: user.unique_id
    match: {patterns: ["cust(omer)?_ref_[0-9]+"]}
  - id: contact_any
    category: user.contact
  - id: email_only
    category: user.contact.email
  - id: location_precise
    category: user.location.precise
"""


@pytest.mark.parametrize(
    ("identifier", "category", "expected", "how"),
    [
        ("contact_value", "user.contact.email", "by_field", "field"),  # fields beat everything
        ("handle", "user.contact.email", "by_name", "name"),  # names beat the category
        ("customer_ref_12", "user.contact.email", "by_pattern", "pattern"),
        ("email", "user.contact.email", "email_only", "category"),  # most specific category wins
        ("phone", "user.contact.phone_number", "contact_any", "category"),  # a declared parent covers a child
        ("location", "user.location", None, ""),  # a declared child never covers a parent
    ],
)
def test_matching_order(identifier: str, category: str, expected: str | None, how: str) -> None:
    inventory = parse_inventory(MATCHING, "inv.yaml")
    res = resolve(_point(identifier, category), inventory)
    assert (res.item.id if res.item else None, res.how) == (expected, how)


def test_fingerprints_are_stable_across_line_moves() -> None:
    inventory = parse_inventory(
        MATCHING.replace("  - id: location_precise\n    category: user.location.precise\n", ""), "inv.yaml"
    )
    knowledge = load_knowledge()
    point = _point("location", "user.location")
    moved = DataPoint(**{**{s: getattr(point, s) for s in DataPoint.__slots__}, "line": 40})
    first = inventory_findings([point], inventory, knowledge, False)
    second = inventory_findings([moved], inventory, knowledge, False)
    assert [f.code for f in first] == ["MIN501"]
    assert [f.fingerprint for f in first] == [f.fingerprint for f in second]


def test_inventory_checks_are_documented() -> None:
    checks = inventory_checks()
    assert sorted(checks) == ["MIN501", "MIN502", "MIN503", "MIN504", "MIN505", "MIN506"]
    assert [checks[c].name for c in sorted(checks)] == [
        "undeclared-personal-data",
        "undeclared-action",
        "undeclared-destination",
        "unencrypted-sensitive-data",
        "declared-but-unused",
        "inventory-incomplete",
    ]
    for check in checks.values():
        assert check.summary and check.what and check.why and check.example and check.fix and check.suppress
