"""Erasure coverage: deletion paths, the user's personal-data map, verdicts and MIN601."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from minimise.analysis.erasure_checks import ErasureChecks
from minimise.analysis.summary import summary_from_json
from minimise.cli import cli
from minimise.engine import EngineOptions, analyse_module
from minimise.knowledge import load_knowledge
from minimise.scan import ScanOptions, scan

FIXTURE = Path(__file__).parent / "fixtures" / "erasure"

# Every personal field, cache and recipient of the fixture shop, with its verdict and where it is.
EXPECTED = [
    ("field", "User.email", "erased", "shop/models.py", 6),
    ("field", "User.phone_number", "erased", "shop/models.py", 7),
    ("field", "Profile.date_of_birth", "erased", "shop/models.py", 12),
    ("field", "Profile.home_address", "erased", "shop/models.py", 13),
    ("field", "Order.billing_email", "erased", "shop/models.py", 18),
    ("field", "Order.shipping_address", "survives", "shop/models.py", 19),
    ("field", "AuditEvent.ip_address", "erased", "shop/models.py", 25),
    ("field", "SupportTicket.contact_email", "survives", "shop/models.py", 30),
    ("cache", "redis.Redis key last-order:", "survives", "shop/views.py", 17),
    ("cache", "redis.Redis key basket:", "expires", "shop/views.py", 18),
    ("recipient", "segment", "survives", "shop/views.py", 19),
]


def _map(root: Path, declared: tuple[str, ...] = ()) -> dict[str, object]:
    """The erasure map of a scan of ``root``, with the MIN601 findings the scan raised."""
    checks = ErasureChecks(load_knowledge(), declared)
    options = ScanOptions(paths=[root], root=root, engine=EngineOptions(prefilter=False), jobs=1)
    options.project_checks = checks
    report = scan(options)
    found = checks.map.to_json()
    found["findings"] = [(f.code, f.path, f.line, f.identifier) for f in report.findings if f.code == "MIN601"]
    return found


def test_every_verdict_of_the_fixture_shop() -> None:
    result = _map(FIXTURE)
    assert result["deletion_paths"] == [
        {"function": "shop.views.delete_account", "path": "shop/views.py", "line": 24, "why": "deletes the user"}
    ]
    entries = result["entries"]
    assert isinstance(entries, list)
    assert [(e["kind"], e["subject"], e["verdict"], e["path"], e["line"]) for e in entries] == EXPECTED
    # The newsletter signup holds an email but is not tied to the user: it stays out of the map.
    assert not any("NewsletterSignup" in e["subject"] for e in entries)
    assert result["findings"] == [
        ("MIN601", "shop/models.py", 19, "Order.shipping_address"),
        ("MIN601", "shop/models.py", 30, "SupportTicket.contact_email"),
        ("MIN601", "shop/views.py", 17, "redis.Redis key last-order:"),
        ("MIN601", "shop/views.py", 19, "segment"),
    ]


def test_reasons_name_the_path_and_the_evidence() -> None:
    entries = {e["subject"]: e for e in _map(FIXTURE)["entries"]}  # type: ignore[union-attr]
    assert entries["Order.shipping_address"]["how"] == (
        "user -> User (on_delete=SET_NULL) keeps the row when the user is deleted, "
        "and shop.views.delete_account does not delete or overwrite it"
    )
    assert entries["Order.billing_email"]["how"] == "`billing_email` overwritten by shop.views.delete_account"
    assert entries["Order.billing_email"]["evidence"][0] == {
        "path": "shop/views.py",
        "line": 13,
        "message": "`billing_email` copied from the user's `email` in shop.views.checkout",
    }
    assert entries["AuditEvent.ip_address"]["how"] == "on_delete=CASCADE from User (actor)"
    assert entries["AuditEvent.ip_address"]["evidence"][0]["line"] == 24
    assert entries["SupportTicket.contact_email"]["link"] == "plain id column `requester_id`"


def test_a_soft_delete_keeps_what_it_does_not_overwrite(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "app")
    views = tmp_path / "app" / "shop" / "views.py"
    text = views.read_text().replace("    user.delete()\n", "    user.email = ''\n    user.save()\n")
    views.write_text(text)
    entries = {e["subject"]: e for e in _map(tmp_path / "app")["entries"]}  # type: ignore[union-attr]
    assert entries["User.email"]["verdict"] == "erased"
    assert entries["User.phone_number"]["verdict"] == "survives"
    assert entries["Profile.home_address"]["how"] == (
        "user -> User (on_delete=CASCADE), but shop.views.delete_account keeps the parent row"
    )


def test_no_deletion_path_is_one_line_and_no_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURE, tmp_path / "app")
    views = tmp_path / "app" / "shop" / "views.py"
    views.write_text(views.read_text().split("@login_required")[0])
    monkeypatch.chdir(tmp_path / "app")
    result = CliRunner().invoke(cli, ["inventory", "erasure", ".", "-j", "1"])
    assert result.exit_code == 0
    assert result.stdout == (
        "minimise: no account deletion path found; declare one in data-inventory.yaml with "
        "`erasure: [package.module.function]`\n"
    )
    assert _map(tmp_path / "app")["findings"] == []


def test_the_inventory_declares_a_deletion_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURE, tmp_path / "app")
    (tmp_path / "app" / "shop" / "gdpr.py").write_text(
        "from shop.models import SupportTicket\n\n\ndef forget(ticket_owner):\n"
        "    SupportTicket.objects.filter(requester_id=ticket_owner).delete()\n"
    )
    (tmp_path / "app" / "data-inventory.yaml").write_text("version: 1\nerasure: [shop.gdpr.forget]\n")
    monkeypatch.chdir(tmp_path / "app")
    result = CliRunner().invoke(cli, ["inventory", "erasure", ".", "--format", "json", "-j", "1"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [p["function"] for p in data["deletion_paths"]] == ["shop.gdpr.forget", "shop.views.delete_account"]
    verdicts = {e["subject"]: e["verdict"] for e in data["entries"]}
    assert verdicts["SupportTicket.contact_email"] == "erased"
    assert data["survives"] == 3


def test_the_markdown_map(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURE)
    result = CliRunner().invoke(cli, ["inventory", "erasure", ".", "-j", "1"])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:7] == [
        "# Erasure map",
        "",
        "What deleting a user's account leaves behind.",
        "",
        "## Deletion paths",
        "",
        "- `shop.views.delete_account` (shop/views.py:24): deletes the user",
    ]
    assert "## Personal data (4 survive)" in lines
    assert sum(1 for line in lines if line.startswith("| survives |")) == 4
    assert sum(1 for line in lines if line.startswith("| erased |")) == 6


def test_a_bad_erasure_declaration_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(FIXTURE, tmp_path / "app")
    (tmp_path / "app" / "data-inventory.yaml").write_text("version: 1\nerasure: shop.gdpr.forget\n")
    monkeypatch.chdir(tmp_path / "app")
    result = CliRunner().invoke(cli, ["inventory", "erasure", "."])
    assert result.exit_code == 2
    assert "`erasure` must be a list of dotted function names" in result.stderr


def test_erasure_facts_round_trip_through_the_summary_json() -> None:
    text = (FIXTURE / "shop" / "views.py").read_text()
    _points, data = analyse_module(text, "shop/views.py", load_knowledge())
    summary = summary_from_json("shop/views.py", data)
    assert summary is not None and summary.to_json() == data
    facts = summary.functions["delete_account"].erasure
    assert facts is not None
    assert facts.deletes == (("USER", 27),)
    assert facts.blanks == (("shop.models.Order", "billing_email", 26),)
    models = (FIXTURE / "shop" / "models.py").read_text()
    classes = summary_from_json("shop/models.py", analyse_module(models, "shop/models.py", load_knowledge())[1])
    assert classes is not None
    assert classes.classes["Order"].relations == {"user": ("shop.models.User", "SET_NULL", "")}
    assert classes.classes["SupportTicket"].id_columns == ("requester_id",)


SQLALCHEMY_MODELS = """from sqlalchemy import Column, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class User(Base):
    __tablename__ = "users"
    id = Column(Integer, primary_key=True)
    email = Column(String)
    addresses = relationship("Address", cascade="all, delete-orphan")


class Address(Base):
    __tablename__ = "addresses"
    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("users.id"))
    street_address = Column(String)


class Note(Base):
    __tablename__ = "notes"
    id = Column(Integer, primary_key=True)
    author_id = Column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    contact_phone = Column(String)


class Invoice(Base):
    __tablename__ = "invoices"
    id = Column(Integer, primary_key=True)
    customer_id = Column(Integer, ForeignKey("users.id", ondelete="SET NULL"))
    billing_name = Column(String)
"""


def test_sqlalchemy_session_delete_follows_ondelete_and_orm_cascades(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(SQLALCHEMY_MODELS)
    (app / "service.py").write_text(
        "from app.models import User\n\n\ndef erase(session, user_id):\n"
        "    user = session.get(User, user_id)\n    session.delete(user)\n    session.commit()\n"
    )
    result = _map(tmp_path)
    assert [p["function"] for p in result["deletion_paths"]] == ["app.service.erase"]  # type: ignore[union-attr]
    verdicts = [(e["subject"], e["verdict"], e["line"]) for e in result["entries"]]  # type: ignore[union-attr]
    assert verdicts == [
        ("User.email", "erased", 10),
        ("Address.street_address", "erased", 18),
        ("Note.contact_phone", "erased", 25),
        ("Invoice.billing_name", "survives", 32),
    ]


PURGES = """from datetime import timedelta

from django.utils import timezone

from shop.models import SupportTicket


def purge_old_tickets():
    SupportTicket.objects.filter(created__lt=timezone.now() - timedelta(days=365)).delete()
"""

INVENTORY = """version: 1
data:
  - id: contact_email
    label: Contact email
    category: user.contact.email
    retention: P1Y
  - id: address
    label: Postal address
    category: user.contact.address
    retention: {period: P2Y, after: account_closed}
"""


def test_retention_purges_and_min602(tmp_path: Path) -> None:
    from minimise.inventory.load import load_inventory

    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    (root / "shop" / "tasks.py").write_text(PURGES)
    (root / "data-inventory.yaml").write_text(INVENTORY)
    knowledge = load_knowledge()
    inventory = load_inventory(root / "data-inventory.yaml", "data-inventory.yaml", knowledge)
    checks = ErasureChecks(knowledge, (), inventory)
    options = ScanOptions(paths=[root], root=root, engine=EngineOptions(prefilter=False), jobs=1)
    options.project_checks = checks
    report = scan(options)
    entries = {e.item: e for e in checks.retention}
    assert [(s.path, s.line) for s in entries["contact_email"].purged_by] == [("shop/tasks.py", 9)]
    assert entries["contact_email"].unpurged == [
        "shop.models.NewsletterSignup",
        "shop.models.Order",
        "shop.models.User",
    ]
    assert entries["address"].purged_by == []
    notes = [(f.code, f.severity, f.path, f.line, f.message) for f in report.findings if f.code == "MIN602"]
    assert notes == [
        (
            "MIN602",
            "note",
            "data-inventory.yaml",
            3,
            "`contact_email` is kept P1Y, but no purge job deletes NewsletterSignup, Order, User by date",
        ),
        (
            "MIN602",
            "note",
            "data-inventory.yaml",
            7,
            "`address` is kept P2Y after account_closed, but no purge job deletes Order, Profile by date",
        ),
    ]


def test_min601_is_suppressed_on_the_field_line(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURE, root)
    models = root / "shop" / "models.py"
    models.write_text(
        models.read_text().replace(
            "    shipping_address = models.TextField()\n",
            "    shipping_address = models.TextField()  # minimise: ignore[MIN601] kept for tax law\n",
        )
    )
    assert ("MIN601", "shop/models.py", 19, "Order.shipping_address") not in _map(root)["findings"]  # type: ignore[operator]
    assert len(_map(root)["findings"]) == 3  # type: ignore[arg-type]
