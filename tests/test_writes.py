"""Runtime writes beyond the corpus ratchet: the store a write names, a cache write's time to live, and its erasure."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from minimise.cli import cli
from minimise.engine import analyse_module
from minimise.knowledge import load_knowledge

WRITES = Path(__file__).parent / "fixtures" / "corpus" / "writes"


def _points(text: str) -> list[tuple[int, str, str, str, str]]:
    points, _summary = analyse_module(text, "app/cache.py", load_knowledge())
    return [(p.line, p.action, p.category, p.via, p.expires) for p in points]


def test_cache_writes_carry_the_time_to_live_they_set() -> None:
    text = (WRITES / "sessions_and_caches.py").read_text()
    cached = [p for p in _points(text) if p[3] in ("redis", "cache")]
    assert cached == [
        (24, "store", "user.authorization.credentials", "redis", "CODE_TTL s"),
        (25, "store", "user.authorization.credentials", "redis", "PT300S"),
        (29, "store", "user.contact.address", "cache", "PT3600S"),
        (30, "store", "user.contact.email", "cache", "never"),
    ]


def test_milliseconds_and_missing_times_to_live() -> None:
    text = (
        "import redis\n"
        "r = redis.Redis()\n"
        "def keep(user):\n"
        "    r.set('a', user.email, px=1500)\n"
        "    r.psetex('b', 2000, user.email)\n"
        "    r.set('c', user.email)\n"
        "    r.set('d', user.email, ex=timedelta(seconds=30, hours=1))\n"
        "    r.set('e', user.email, ex=timedelta(days=2))\n"
        "    r.set('f', user.email, ex=timedelta(minutes=ttl_minutes))\n"
    )
    assert _points(text) == [
        (4, "store", "user.contact.email", "redis", "PT1.5S"),
        (5, "store", "user.contact.email", "redis", "PT2S"),
        (6, "store", "user.contact.email", "redis", ""),
        (7, "store", "user.contact.email", "redis", "PT1H30S"),
        (8, "store", "user.contact.email", "redis", "P2D"),
        (9, "store", "user.contact.email", "redis", "timedelta(minutes=ttl_minutes)"),
    ]


def test_only_points_with_a_time_to_live_show_it_in_json(tmp_path: Path) -> None:
    (tmp_path / "cache.py").write_text((WRITES / "sessions_and_caches.py").read_text())
    out = tmp_path / "report.json"
    args = ["scan", str(tmp_path), "--no-inventory", "--format", "json", "--data-points", "-o", str(out)]
    # Twice: the second run reads the cached file result, which must keep the time to live.
    for _run in range(2):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code in (0, 1), result.output
        points = json.loads(out.read_text())["data_points"]
        by_line = {(p["line"], p["category"]): p.get("expires") for p in points}
        assert by_line[(24, "user.authorization.credentials")] == "CODE_TTL s"
        assert by_line[(30, "user.contact.email")] == "never"
        assert by_line[(20, "user.contact.phone_number")] is None  # a session write: no key at all


def test_a_cache_entry_that_expires_says_after_how_long() -> None:
    from minimise.analysis.erasure_checks import ErasureChecks
    from minimise.engine import EngineOptions
    from minimise.scan import ScanOptions, scan

    shop = Path(__file__).parent / "fixtures" / "erasure"
    checks = ErasureChecks(load_knowledge(), ())
    options = ScanOptions(paths=[shop], root=shop, engine=EngineOptions(prefilter=False), jobs=1)
    options.project_checks = checks
    scan(options)
    entries = [e for e in checks.map.to_json()["entries"] if e["kind"] == "cache"]  # type: ignore[union-attr]
    assert [(e["line"], e["verdict"], e["how"]) for e in entries] == [
        (17, "survives", "no time to live and shop.views.delete_account never deletes the key"),
        (18, "expires", "written with a time to live (PT600S)"),
    ]


def test_a_model_write_names_the_model_field_and_its_table(tmp_path: Path) -> None:
    from minimise.engine import EngineOptions
    from minimise.scan import ScanOptions, scan

    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from flask_sqlalchemy import SQLAlchemy\n"
        "db = SQLAlchemy()\n"
        "class Subscriber(db.Model):\n"
        "    __tablename__ = 'subscribers'\n"
        "    id = db.Column(db.Integer, primary_key=True)\n"
        "    email = db.Column(db.String(120))\n"
    )
    (app / "signup.py").write_text(
        "from sqlalchemy import insert\n"
        "from app.models import Subscriber\n"
        "def subscribe(session, addr):\n"
        "    session.execute(insert(Subscriber).values(email=addr))\n"
    )
    options = ScanOptions(paths=[tmp_path], root=tmp_path, engine=EngineOptions(prefilter=False), jobs=1)
    report = scan(options)
    written = [p for p in report.data_points if p.path == "app/signup.py"]
    assert [(p.line, p.action, p.category, p.identifier, p.via) for p in written] == [
        (4, "store", "user.contact.email", "Subscriber.email", "sqlalchemy")
    ]
    assert [s.message for s in written[0].steps] == ["written to Subscriber.email (sqlalchemy, table subscribers)"]


def test_a_model_that_hashes_its_password_protects_writes_from_helpers_and_forms(tmp_path: Path) -> None:
    """Callers of a create helper and a WTForms populate_obj inherit the model's hashing setter."""
    app = tmp_path / "club"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "models.py").write_text(
        "from sqlalchemy.orm import Mapped, mapped_column, synonym\n"
        "from werkzeug.security import generate_password_hash\n"
        "from club.db import Base\n\n\n"
        "class Member(Base):\n"
        "    email: Mapped[str] = mapped_column()\n"
        "    _password: Mapped[str] = mapped_column('password')\n\n"
        "    def _set_password(self, password):\n"
        "        self._password = generate_password_hash(password)\n\n"
        "    password = synonym('_password', descriptor=property(None, _set_password))\n"
    )
    (app / "db.py").write_text(
        "from sqlalchemy.orm import DeclarativeBase\n\n\nclass Base(DeclarativeBase):\n    pass\n"
    )
    (app / "services.py").write_text(
        "from club.db import session\nfrom club.models import Member\n\n\n"
        "def create_member(email, password):\n"
        "    member = Member(email=email, password=password)\n"
        "    session.add(member)\n"
        "    session.commit()\n"
    )
    (app / "forms.py").write_text(
        "from wtforms import Form, PasswordField, StringField\n\n\n"
        "class EditMemberForm(Form):\n"
        "    email = StringField('Email')\n"
        "    password = PasswordField('Password')\n"
    )
    (app / "views.py").write_text(
        "from flask import request\nfrom club.db import session\nfrom club.forms import EditMemberForm\n"
        "from club.services import create_member\n\n\n"
        "def signup():\n"
        "    create_member(request.form['email'], request.form['password'])\n\n\n"
        "def edit(member):\n"
        "    form = EditMemberForm(request.form)\n"
        "    form.populate_obj(member)\n"
        "    session.commit()\n"
    )
    out = tmp_path / "report.json"
    CliRunner().invoke(cli, ["scan", str(tmp_path), "--no-inventory", "--no-cache", "--format", "json", "-o", str(out)])
    report = json.loads(out.read_text())
    assert [(f["code"], f["path"], f["line"]) for f in report["findings"]] == []
    stored = sorted(
        (p["path"], p["line"], p["category"], p["protection"]) for p in report["data_points"] if p["action"] == "store"
    )
    assert ("club/views.py", 8, "user.authorization.password", "hashed") in stored
    assert all(p[3] != "none" for p in stored if p[2] == "user.authorization.password")
