"""The rules of rules/literals.yaml that tell a real person's contact, card or id from an example, read once."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from minimise.yamlio import YamlError, line_of, read_shipped_yaml


@dataclass(frozen=True)
class CardNetwork:
    name: str
    prefixes: tuple[tuple[int, int, int], ...]  # (digits compared, low, high)
    lengths: frozenset[int]


@dataclass(frozen=True)
class LiteralRules:
    """rules/literals.yaml, typed."""

    reserved_domains: tuple[str, ...]
    placeholder_domains: frozenset[str]
    # Words a domain's name starts with when it was made up for tests (examplectf.com).
    placeholder_domain_words: tuple[str, ...]
    placeholder_domain_names: frozenset[str]
    role_local_parts: frozenset[str]
    generic_local_words: frozenset[str]
    made_up_local_words: frozenset[str]
    # Words that make a local part made up when another word is run into them (authtest1@, fakeuser@).
    made_up_local_stems: tuple[str, ...]
    role_local_words: frozenset[str]
    file_suffixes: frozenset[str]
    # A real inbox is at a public mailbox provider, or is a person's name at a domain with a known
    # top-level domain; test code's invented addresses (fred@fred.fred, pollo@listo.com) are neither.
    mailbox_providers: frozenset[str]
    known_tlds: frozenset[str]
    card_networks: tuple[CardNetwork, ...]
    test_cards: frozenset[str]
    max_repeated_digit_run: int
    iban_lengths: dict[str, int]
    example_ibans: frozenset[str]
    fiction_ranges: dict[str, tuple[tuple[int, int, int], ...]]  # country -> (length, low, high)
    nanp_fiction_exchanges: frozenset[str]
    nanp_business_area_codes: frozenset[str]
    phone_placeholders: frozenset[str]
    made_up_stretch: int
    phone_plans: dict[str, str]
    ssn_invalid: frozenset[str]
    nino_invalid_prefixes: frozenset[str]
    # Words of the name a NINO is given to (`nino = "..."`, `{"ni_number": ...}`): the shape alone also
    # fits catalogue keys such as OpenLibrary's author ids.
    nino_names: tuple[str, ...]
    metadata_names: frozenset[str]
    # Starts of links that publish a contact for anyone to use (`tel:`, `mailto:`): an email or a
    # phone number on a line with one is an organisation's published contact, not data committed by mistake.
    published_links: tuple[str, ...] = ()
    # Kinds one of which must sit in the same record as a phone number for the number to count: a
    # number alone is what a suite feeds its phone handling, or an organisation's own line.
    phone_reported_with: frozenset[str] = frozenset()


def _strings(data: dict[str, Any], key: str, where: str, path: str) -> list[str]:
    value = data.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise YamlError(path, _line(path, f"{where}.{key}"), f"{where}.{key}: expected a list of strings")
    return value


def _line(path: str, where: str) -> int:
    """The line of a dotted key path in the rule file, for error messages."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError:
        return 0
    steps = tuple(int(p) if p.isdigit() else p for p in where.strip(".").split("."))
    return line_of(text, steps)


def _section(data: Any, key: str, path: str) -> dict[str, Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, dict):
        raise YamlError(path, 0, f"{key}: expected a mapping")
    return value


def _range(text: str, where: str, path: str) -> tuple[int, int, int]:
    """``"51-55"`` or ``"4"`` as (digits, low, high); both ends have the same number of digits."""
    low, _, high = text.partition("-")
    high = high or low
    if not (low.isdigit() and high.isdigit() and len(low) == len(high)):
        raise YamlError(path, 0, f"{where}: expected digits or a range of equally long digits, got {text!r}")
    return len(low), int(low), int(high)


def parse_rules(data: Any, path: str) -> LiteralRules:
    email = _section(data, "email", path)
    card = _section(data, "card", path)
    iban = _section(data, "iban", path)
    phone = _section(data, "phone", path)
    ids = _section(data, "national_id", path)
    networks = []
    for i, entry in enumerate(card.get("networks") or []):
        where = f"card.networks.{i}"
        if not isinstance(entry, dict):
            raise YamlError(path, 0, f"{where}: expected a mapping")
        networks.append(
            CardNetwork(
                str(entry.get("name")),
                tuple(_range(p, where, path) for p in _strings(entry, "prefixes", where, path)),
                frozenset(int(n) for n in entry.get("lengths") or ()),
            )
        )
    fiction: dict[str, tuple[tuple[int, int, int], ...]] = {}
    for country, ranges in _section(phone, "fiction_ranges", path).items():
        fiction[str(country)] = tuple(_range(r, f"phone.fiction_ranges.{country}", path) for r in ranges)
    if not isinstance(data.get("metadata_names"), list):
        raise YamlError(path, 0, "metadata_names: expected a list of strings")
    return LiteralRules(
        reserved_domains=tuple(d.lower() for d in _strings(email, "reserved_domains", "email", path)),
        placeholder_domains=frozenset(d.lower() for d in _strings(email, "placeholder_domains", "email", path)),
        placeholder_domain_words=tuple(w.lower() for w in _strings(email, "placeholder_domain_words", "email", path)),
        placeholder_domain_names=frozenset(
            w.lower() for w in _strings(email, "placeholder_domain_names", "email", path)
        ),
        role_local_parts=frozenset(_strings(email, "role_local_parts", "email", path)),
        generic_local_words=frozenset(_strings(email, "generic_local_words", "email", path)),
        made_up_local_words=frozenset(_strings(email, "made_up_local_words", "email", path)),
        made_up_local_stems=tuple(_strings(email, "made_up_local_stems", "email", path)),
        role_local_words=frozenset(_strings(email, "role_local_words", "email", path)),
        file_suffixes=frozenset(_strings(email, "file_suffixes", "email", path)),
        mailbox_providers=frozenset(d.lower() for d in _strings(email, "mailbox_providers", "email", path)),
        known_tlds=frozenset(d.lower() for d in _strings(email, "known_tlds", "email", path)),
        card_networks=tuple(networks),
        test_cards=frozenset(_strings(card, "test_numbers", "card", path)),
        max_repeated_digit_run=int(card.get("max_repeated_digit_run") or 99),
        iban_lengths={str(k): int(v) for k, v in _section(iban, "lengths", path).items()},
        example_ibans=frozenset(_strings(iban, "example_numbers", "iban", path)),
        fiction_ranges=fiction,
        nanp_fiction_exchanges=frozenset(_strings(phone, "nanp_fiction_exchanges", "phone", path)),
        nanp_business_area_codes=frozenset(_strings(phone, "nanp_business_area_codes", "phone", path)),
        phone_placeholders=frozenset(_strings(phone, "placeholders", "phone", path)),
        made_up_stretch=int(phone.get("made_up_stretch") or 99),
        phone_plans={str(k): str(v) for k, v in _section(phone, "plans", path).items()},
        ssn_invalid=frozenset(_strings(ids, "ssn_invalid", "national_id", path)),
        nino_invalid_prefixes=frozenset(_strings(ids, "nino_invalid_prefixes", "national_id", path)),
        nino_names=tuple(_strings(ids, "nino_names", "national_id", path)),
        metadata_names=frozenset(_strings(data, "metadata_names", "", path)),
        published_links=tuple(link.lower() for link in _strings(data, "published_links", "", path)),
        phone_reported_with=frozenset(_strings(phone, "reported_with", "phone", path)),
    )


@lru_cache(maxsize=1)
def load_literal_rules() -> LiteralRules:
    from minimise.knowledge.compiled import cached_rules

    return cached_rules("literals", _read_literal_rules, LiteralRules)


def _read_literal_rules() -> LiteralRules:
    from minimise.knowledge import rules_dir

    path = rules_dir() / "literals.yaml"
    return parse_rules(read_shipped_yaml(path)[0], str(path))
