"""Plain words, literal URL hosts, inventory edits and spreadsheet-safe CSV for the inventory outputs."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from minimise.inventory import InventoryError, parse_inventory
from minimise.inventory.edits import inventory_edits
from minimise.inventory.hosts import literal_hosts
from minimise.inventory.plain import (
    duration_words,
    is_production_path,
    page_words,
    place,
    retention_words,
    source_words,
    vendor_of,
)
from minimise.inventory.ropa import write_csv
from minimise.knowledge import load_knowledge
from minimise.model import DataPoint


def _point(
    action: str, via: str, scope: str = "", sink_kind: str = "", line: int = 1, path: str = "app.py"
) -> DataPoint:
    return DataPoint(path, line, 1, action, "user.contact.email", "medium", "email", via, "none", scope, sink_kind)


@pytest.mark.parametrize(
    ("via", "words"),
    [
        ("flask.request.form", "web form"),
        ("django.request.POST", "web form"),
        ("fastapi.Form", "web form"),
        ("flask.request.get_json()", "API request"),
        ("pydantic.EmailStr", "API request"),
        ("rest_framework.serializers.CharField", "API request"),
        ("wtforms.EmailField", "web form"),
        ("flask.request.args", "web address"),
        ("django.request.COOKIES", "browser cookie"),
        ("starlette.request.client.host", "network connection"),
        ("getpass.getpass", "command-line prompt"),
        ("somewhere.else", "web request"),
    ],
)
def test_sources_in_plain_words(via: str, words: str) -> None:
    assert source_words(via) == words


def test_pages_stores_logs_and_vendors() -> None:
    knowledge = load_knowledge()
    assert page_words("shop.views.signup") == "sign-up page"
    assert page_words("api.schemas.SignUpIn") == "sign-up page"
    assert page_words("shop.views.on_error") == ""
    assert place(_point("collect", "flask.request.form", "shop.views.signup"), knowledge) == "web form (sign-up page)"
    assert place(_point("store", "sqlalchemy.Column", "shop.models.Customer", "database"), knowledge) == (
        "customer database"
    )
    constructor = DataPoint(
        "a.py",
        1,
        1,
        "store",
        "user.contact.email",
        "medium",
        "Customer.email",
        "sqlalchemy",
        "none",
        "shop.views.signup",
        "database",
    )
    assert place(constructor, knowledge) == "customer database"
    assert place(_point("store", "redis", "app.cache_user", "cache"), knowledge) == "cache"
    assert place(_point("log", "logging", sink_kind="log"), knowledge) == "application logs"
    assert place(_point("log", "print", sink_kind="log"), knowledge) == "console output"
    assert place(_point("share", "mixpanel", sink_kind="analytics"), knowledge) == "Mixpanel"
    assert place(_point("share", "requests", sink_kind="http"), knowledge, host="api.hubapi.com") == "api.hubapi.com"
    assert place(_point("share", "requests", sink_kind="http"), knowledge) == "an outside web service"
    assert vendor_of("sentry", knowledge) == "Sentry" and vendor_of("requests", knowledge) == ""
    assert vendor_of("segment.track", knowledge) == "Segment"  # a via longer than the sink id


def test_every_sharing_sink_has_a_vendor_or_plain_kind_words() -> None:
    from minimise.inventory.plain import words

    knowledge = load_knowledge()
    for sink in knowledge.sinks:
        if sink.action == "share":
            assert vendor_of(sink.id, knowledge) or sink.kind in words().share_kinds, sink.id


def test_retention_and_durations() -> None:
    assert duration_words("P2Y") == "2 years"
    assert duration_words("P1Y6M") == "1 year 6 months"
    assert duration_words("P0D") == "not kept"
    assert retention_words("P2Y", "account_closed", "") == "2 years after account closed"
    assert retention_words("P0D", "account_closed", "") == "deleted when account closed"
    assert retention_words("", "", "contract_end") == "until contract end"


def test_production_paths() -> None:
    assert is_production_path("shop/views.py")
    assert not is_production_path("tests/test_views.py")
    assert not is_production_path("shop/tests/factories.py")
    assert not is_production_path("shop/test_views.py")
    assert not is_production_path("shop/views_test.py")
    assert not is_production_path("conftest.py")
    assert not is_production_path("scripts/seed_db.py")
    assert not is_production_path("tests/fixtures/data.py")


# ----------------------------------------------------------------------------- hosts
HOSTS = """\
import requests
import httpx

CRM = "https://api.hubapi.com/crm/v3/objects/contacts"


def push(email, phone, region, url):
    requests.post(CRM, json={"email": email})
    httpx.get(f"https://partner.example.com/find?phone={phone}")
    requests.get("https://" + region + ".example.com/", params={"phone": phone})
    requests.post(
        "https://hooks.example.org/signup",
        json={"email": email},
    )
    requests.post(url, json={"email": email})
"""


def test_literal_hosts(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(HOSTS, encoding="utf-8")
    points = [
        _point("share", "requests", sink_kind="http", line=8),
        _point("share", "httpx", sink_kind="url", line=9),
        _point("share", "requests", sink_kind="url", line=10),  # the host is computed
        _point("share", "requests", sink_kind="http", line=13),  # a call over several lines
        _point("share", "requests", sink_kind="http", line=15),  # a variable URL
        _point("share", "segment", sink_kind="analytics", line=8),  # not HTTP
    ]
    found = literal_hosts(points, tmp_path)
    assert {p.line: host for p, host in found.items()} == {
        8: "api.hubapi.com",
        9: "partner.example.com",
        13: "hooks.example.org",
    }


def test_literal_hosts_survive_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def broken(:\n", encoding="utf-8")
    assert literal_hosts([_point("share", "requests", sink_kind="http")], tmp_path) == {}
    assert literal_hosts([_point("share", "requests", sink_kind="http", path="gone.py")], tmp_path) == {}


# ----------------------------------------------------------------------------- recipients
def test_recipients_declare_vendor_countries_and_safeguard() -> None:
    inventory = parse_inventory(
        "version: 1\nrecipients:\n"
        "  hubspot: {vendor: HubSpot, country: [US, IE], transfer: {safeguard: scc, document: https://example.com/dpa}}\n"
        "  mailer: {country: DE, transfer: SCCs}\n"
    )
    hubspot = inventory.recipients["hubspot"]
    assert (hubspot.vendor, hubspot.countries, hubspot.transfer) == ("HubSpot", ("US", "IE"), "scc")
    assert hubspot.transfer_document == "https://example.com/dpa"
    assert inventory.recipients["mailer"].transfer == "scc"
    with pytest.raises(InventoryError) as err:
        parse_inventory("version: 1\nrecipients:\n  x:\n    transfer: {safeguard: handshake}\n")
    assert str(err.value) == (
        "data-inventory.yaml:4:16: recipients.x.transfer.safeguard: 'handshake' is not one of: "
        "adequacy, dpf, scc, bcr, derogation, none"
    )


# ----------------------------------------------------------------------------- edits
OLD = """\
version: 1
system: {owner: "@team"}
recipients:
  segment: {country: US, transfer: scc}
data:
  - id: phone
    label: Phone number
    category: user.contact.phone_number
    purposes: [essential.service]
    retention: P1Y
    allow: {collect: true, share: [segment]}
"""


def _edits(new: str) -> list[tuple[str, bool, str]]:
    knowledge = load_knowledge()
    edits = inventory_edits(parse_inventory(OLD), parse_inventory(new), knowledge)
    return [(e.text, e.widens, e.who) for e in edits]


def test_edits_that_widen_need_a_decision() -> None:
    new = OLD.replace(
        "allow: {collect: true, share: [segment]}", "allow: {collect: true, log: true, share: [segment, crm]}"
    )
    new = new.replace("recipients:\n", "recipients:\n  crm: {vendor: HubSpot, country: US}\n")
    new = new.replace("retention: P1Y", "retention: P18M").replace(
        "[essential.service]", "[essential.service, marketing]"
    )
    new = new.replace("segment: {country: US, transfer: scc}", "segment: {country: [US, IN], transfer: scc}")
    new += "non_personal:\n  - {name: office_phone, reason: our switchboard}\n"
    who = "privacy lead and data owner (@team)"
    assert _edits(new) == [
        ("Phone number may now be written to logs", True, who),
        ("Phone number may now be sent to HubSpot", True, who),
        ("Phone number has a new purpose: Marketing", True, who),
        ("Phone number is kept longer: 1 year → 18 months", True, who),
        ("New recipient declared: HubSpot (US)", True, "privacy lead"),
        ("Segment now processes data in IN", True, "privacy lead"),
        ("office_phone is now treated as not personal data (our switchboard)", True, "privacy lead"),
    ]


def test_edits_that_narrow_are_listed_without_a_decision() -> None:
    new = OLD.replace("allow: {collect: true, share: [segment]}", "allow: {collect: true}").replace("P1Y", "P30D")
    assert _edits(new) == [
        ("Phone number may no longer be shared", False, ""),
        ("Phone number: retention changed from 1 year to 30 days", False, ""),
    ]


def test_a_removed_retention_widens() -> None:
    assert _edits(OLD.replace("    retention: P1Y\n", "")) == [
        ("Phone number: retention removed (was 1 year)", True, "privacy lead and data owner (@team)")
    ]


# ----------------------------------------------------------------------------- CSV
def test_csv_for_spreadsheets() -> None:
    text = write_csv(["A", "B"], [['=HYPERLINK("x")', "Zürich, CH"], ["-1", 'say "hi"\nthere']])
    assert text.startswith("\ufeffA,B\r\n")
    rows = list(csv.reader(io.StringIO(text[1:], newline="")))
    assert rows == [["A", "B"], ['\'=HYPERLINK("x")', "Zürich, CH"], ["'-1", 'say "hi"\nthere']]
