"""Categories that mean what they say: the look-alike and category corpora scored exactly, and the name rules."""

from __future__ import annotations

import pytest
from corpus import CORPUS, score

from minimise.knowledge import load_knowledge

EXACT = ("lookalikes/", "categories/")


def test_lookalike_and_category_corpora_score_exactly() -> None:
    """Every trap (`# ok`) stays silent and every true case is found, with its exact category."""
    result = score(CORPUS)
    missed = sorted(k for k in result.false_negatives if k[0].startswith(EXACT))
    spurious = sorted(k for k in result.false_positives if k[0].startswith(EXACT))
    assert (missed, spurious) == ([], [])
    assert len([k for k in result.expected if k[0].startswith("categories/")]) >= 25


def _category(name: str, context: tuple[str, ...] = (), user_input: bool = False) -> str | None:
    found = load_knowledge().classifier.classify(name, context, user_input)
    return found.category if found else None


@pytest.mark.parametrize(
    "owner",
    [
        ("user", "field", "create"),
        ("shipping", "method"),
        ("admin", "site"),
        ("custom", "profile", "field"),
        ("tenant",),
        ("voucher",),
        ("wishlist",),
        ("repository",),
        ("api", "key"),
    ],
)
def test_name_of_a_thing_about_people_is_not_a_persons_name(owner: tuple[str, ...]) -> None:
    assert _category("name", owner, user_input=True) is None


@pytest.mark.parametrize("owner", [("customer",), ("user", "profile"), ("customer", "create"), ("shipping",)])
def test_name_of_a_person_is_a_name(owner: tuple[str, ...]) -> None:
    assert _category("name", owner) == "user.name"


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("location", "user.location.imprecise"),
        ("latitude", "user.location.precise"),
        ("gps_location", "user.location.precise"),
        ("user_agent", "user.device"),
        ("website", "user.contact.url"),
        ("linkedin_url", "user.contact.url"),
        ("search_query", "user.behavior.search_history"),
        ("recently_viewed", "user.behavior.browsing_history"),
        ("bio", "user.content.public"),
        ("message_text", "user.content.private"),
        ("report_reason", "user.content.private"),
        ("profile_field_values", "user.demographic.profile"),
    ],
)
def test_categories_in_a_person_context(name: str, category: str) -> None:
    assert _category(name, ("member",)) == category


@pytest.mark.parametrize(
    "name",
    [
        "redirect_location",
        "next_location",
        "location_header",
        "num_orders_as_shipping_address",
        "email_count",
        "bot_email",
        "service_account_email",
        "noreply_email",
        "company_website",
        "es_search_query",
        "error_message_text",
    ],
)
def test_look_alikes_in_a_person_context(name: str) -> None:
    assert _category(name, ("member",)) is None


def test_profile_field_value_is_the_answer_but_its_definition_is_not() -> None:
    assert _category("value", ("custom", "profile", "field", "value")) == "user.demographic.profile"
    assert _category("name", ("custom", "profile", "field")) is None
    assert _category("value", ("site", "setting")) is None
