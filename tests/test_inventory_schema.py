"""Loading data-inventory.yaml: every error names the file, line and column and says what to do."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from minimise.inventory.load import MAX_INVENTORY_BYTES, InventoryError, load_inventory, parse_inventory
from minimise.inventory.patterns import compile_pattern, pattern_matches

GOOD = """\
version: 1
taxonomy: {base: fideslang-2, aliases: {user.health: user.health_and_medical}}
system: {name: checkout, owner: "@acme/checkout", subjects: [customer], responsibility: controller}
recipients:
  stripe:  {kind: processor, purpose: essential.service.payment_processing, country: US, transfer: SCCs}
  segment: {kind: processor, purpose: analytics.reporting, country: US, transfer: SCCs, dpa: https://x}
stores: {primary_db: {kind: sql, encrypted_at_rest: false}}
defaults: {unknown_data: warn, log_allowed_up_to: low}
data:
  - id: customer_email
    label: Email address
    category: user.contact.email
    purposes: [essential.service.notifications.email, analytics.reporting]
    lawful_basis: contract
    retention: {period: P2Y, after: account_closed}
    owner: "@acme/growth"
    match: {names: [email, emailAddress], fields: [checkout.models.Customer.email], exclude: [email_verified]}
    allow: {collect: true, store: [primary_db], share: [segment], log: false}
  - id: card_number
    label: Payment card number
    category: [user.financial.credit_card, user.payment]
    purposes: [essential.service.payment_processing]
    lawful_basis: contract
    retention: P0D
    match: {names: [card_number, pan], patterns: ["cc_[a-z]+"]}
    allow: {collect: true, share: [stripe], store: false, log: false}
    protect_with: [tokenize, encrypt]
  - id: health
    category: user.health
non_personal: [{name: email_template_id, reason: template key}]
"""


def _error(text: str) -> InventoryError:
    with pytest.raises(InventoryError) as info:
        parse_inventory(text, "inv.yaml")
    return info.value


def test_good_inventory_loads_with_defaults() -> None:
    inv = parse_inventory(GOOD, "inv.yaml")
    assert [i.id for i in inv.items] == ["customer_email", "card_number", "health"]
    email, card, health = inv.items
    assert email.sensitivity == "medium" and email.encryption == "none"
    assert email.match.names == ("email", "email_address")
    assert email.match.exclude == ("email_verified",)
    assert email.allow == {"collect": True, "store": ("primary_db",), "share": ("segment",), "log": False}
    assert email.retention is not None and email.retention.describe() == "P2Y after account_closed"
    assert email.at.line == 10 and email.at.column == 5
    assert card.categories == ("user.financial.credit_card", "user.payment")
    assert card.sensitivity == "high" and card.encryption == "required"
    assert card.accepted_protections() == frozenset({"tokenised", "encrypted"})
    assert health.categories == ("user.health_and_medical",) and health.sensitivity == "special"
    from minimise.knowledge import load_knowledge

    assert health.label == load_knowledge().label_of("user.health_and_medical")
    assert inv.stores["primary_db"].sink_kind == "database"
    assert inv.defaults.unknown_data == "warning"
    assert inv.non_personal[0].name == "email_template_id"


@pytest.mark.parametrize(
    ("text", "line", "column", "needle"),
    [
        ("version: 1\ndata: [\n", 3, 1, "invalid YAML"),
        ("version: 1\nbase: &b {id: x}\nother: *b\n", 2, 7, "anchors (&b) are not allowed"),
        ("version: 1\ndata:\n  - !!python/object:os.system {id: x}\n", 3, 5, "remove the !tag"),
        ("version: 1\nversion: 1\n", 2, 1, "duplicate key 'version' (first at line 1)"),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n  - id: a\n    category: user.name\n",
            5,
            5,
            "data[1].id: duplicate id 'a' (first at line 3)",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    purpose: [analytics]\n",
            5,
            5,
            "data[0].purpose: unknown key 'purpose'; did you mean 'purposes'?",
        ),
        ("version: 1\nsurprise: 1\n", 2, 1, "surprise: unknown key 'surprise'"),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    allow: {log: maybe}\n",
            5,
            13,
            "data[0].allow.log: expected true, false or a list of names, got text 'maybe'",
        ),
        (
            "version: 1\nstores: {db: {kind: sql, encrypted_at_rest: yes please}}\n",
            2,
            26,
            "stores.db.encrypted_at_rest: expected true or false",
        ),
        ("version: 1\ndata: {id: a}\n", 2, 1, "data: expected a list of items"),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.contact.emial\n",
            4,
            5,
            "unknown data category 'user.contact.emial' (did you mean 'user.contact.email'?)",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.credentials\n",
            4,
            5,
            "'user.credentials' is deprecated (an old fideslang key); use 'user.authorization.credentials' instead",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    purposes: [personalize.profiling]\n",
            5,
            16,
            "use 'personalize.content.profiling' instead",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    purposes: [analytics.reportin]\n",
            5,
            16,
            "unknown data use 'analytics.reportin' (did you mean 'analytics.reporting'?)",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    match: {patterns: ['(a+)+$']}\n",
            5,
            24,
            "nested repetition",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    match: {patterns: ['(']}\n",
            5,
            24,
            "invalid regular expression",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    match: {patterns: ['(a)\\1']}\n",
            5,
            24,
            "backreferences are not allowed",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    allow: {share: [segmnt]}\n",
            5,
            21,
            "recipient 'segmnt' is not declared under `recipients:`",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    lawful_basis: because\n",
            5,
            5,
            "'because' is not one of: consent, contract",
        ),
        (
            "version: 1\ndata:\n  - id: a\n    category: user.name\n    retention: P2X\n",
            5,
            5,
            "not an ISO-8601 duration",
        ),
        ("version: 1\ndata:\n  - id: a b\n    category: user.name\n", 3, 5, "id 'a b' may only use"),
        ("version: 1\ndata:\n  - id: a\n", 3, 5, "item 'a' needs a `category:`"),
        ("version: 2\n", 1, 1, "unsupported version 2"),
        ("data: []\n", 1, 1, "add `version: 1`"),
        ("", 1, 1, "the data inventory is empty"),
        ("version: 1\nnon_personal: [email_template_id]\n", 2, 16, "every entry needs a reason"),
    ],
)
def test_errors_name_the_place_and_the_fix(text: str, line: int, column: int, needle: str) -> None:
    error = _error(text)
    assert (error.path, error.line, error.column) == ("inv.yaml", line, column), str(error)
    assert needle in error.message
    assert str(error).startswith(f"inv.yaml:{line}:{column}: ")


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "version: 1\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8)
    )
    started = time.perf_counter()
    error = _error(bomb)
    assert time.perf_counter() - started < 2
    assert error.line == 2 and "anchors (&a) are not allowed" in error.message


def test_huge_file_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "data-inventory.yaml"
    path.write_bytes(b"version: 1\n" + b"# padding\n" * (MAX_INVENTORY_BYTES // 10 + 1))
    with pytest.raises(InventoryError) as info:
        load_inventory(path, "data-inventory.yaml")
    assert str(info.value).startswith("data-inventory.yaml:1:1: file is larger than 4 MiB")


def test_missing_file_and_bad_encoding(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read the data inventory"):
        load_inventory(tmp_path / "absent.yaml")
    path = tmp_path / "latin.yaml"
    path.write_bytes(b"version: 1\n# caf\xe9\n")
    with pytest.raises(InventoryError) as info:
        load_inventory(path, "latin.yaml")
    assert info.value.line == 2 and "not UTF-8" in info.value.message


def test_file_errors_carry_the_given_display_name(tmp_path: Path) -> None:
    path = tmp_path / "data-inventory.yaml"
    path.write_text("version: 1\ndata:\n  - id: a\n    category: user.nam\n", encoding="utf-8")
    with pytest.raises(InventoryError) as info:
        load_inventory(path, "data-inventory.yaml")
    assert str(info.value) == (
        "data-inventory.yaml:4:5: data[0].category: unknown data category 'user.nam' (did you mean 'user.name'?)"
    )


def test_accepted_patterns_stay_fast_on_catastrophic_input() -> None:
    pattern = compile_pattern(r"(?:user_)?e?mail[a-z_]*addr(?:ess)?")
    evil = "email" + "_" * 5000 + "!"
    started = time.perf_counter()
    assert not pattern_matches(pattern, evil)  # longer than MAX_NAME_LENGTH: never tested
    assert not pattern_matches(pattern, "email" + "a" * 150 + "!")
    assert pattern_matches(pattern, "user_email_addr")
    assert time.perf_counter() - started < 0.5
    for unsafe in ["(a+)+", "(a*)*b", "(a|aa)+", "(?:x+y?)*z", "((ab)*)+"]:
        with pytest.raises(ValueError, match="nested repetition"):
            compile_pattern(unsafe)
    with pytest.raises(ValueError, match="longer than 200"):
        compile_pattern("a" * 201)
    assert re.fullmatch(compile_pattern("cc_[a-z]+"), "cc_number")
    assert re.fullmatch(compile_pattern("support_phone(_[a-z]+)?"), "support_phone_uk")  # ? repeats once
