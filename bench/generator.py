"""The synthetic web-app corpus of the benchmark: deterministic projects of Flask, Django and FastAPI code.

The corpus is a handful of web-app projects. Every file is built from kind-specific templates
(Flask views, Django models/forms/views, FastAPI routers, Pydantic schemas, SQLAlchemy models,
services that log, analytics calls, utils, tests) filled with names drawn from word pools. By
default about a third of the files handle personal data and those are the big ones (about two
thirds of the lines), as in the real apps measured in the research; ``personal_share`` makes a
sparse corpus. Same seed and share, same bytes.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

# The research note's personal-data regex; used only to describe a corpus ("files that mention
# personal data"), never to decide what minimise scans.
PD_REGEX = re.compile(
    rb"email|phone|address|birth|password|passwd|ssn|username|first_?name|last_?name|ip_addr",
    re.IGNORECASE,
)


ENTITIES = [
    "user",
    "customer",
    "member",
    "patient",
    "employee",
    "subscriber",
    "applicant",
    "student",
    "guest",
    "contact",
    "tenant",
    "driver",
    "volunteer",
    "buyer",
    "author",
]
PD_FIELDS = [
    ("email", "str", "EmailField", "String(255)", "alice@example.com"),
    ("first_name", "str", "CharField", "String(80)", "Alice"),
    ("last_name", "str", "CharField", "String(80)", "Smith"),
    ("phone_number", "str", "CharField", "String(32)", "+44 20 7946 0958"),
    ("date_of_birth", "date", "DateField", "Date", "1990-04-01"),
    ("address_line1", "str", "CharField", "String(200)", "1 High Street"),
    ("postcode", "str", "CharField", "String(12)", "SW1A 1AA"),
    ("city", "str", "CharField", "String(80)", "Leeds"),
    ("username", "str", "CharField", "String(64)", "alice90"),
    ("ip_address", "str", "GenericIPAddressField", "String(45)", "203.0.113.7"),
    ("national_insurance_number", "str", "CharField", "String(16)", "QQ123456C"),
    ("passport_number", "str", "CharField", "String(20)", "123456789"),
    ("gender", "str", "CharField", "String(16)", "female"),
    ("salary", "int", "IntegerField", "Integer", "42000"),
    ("mobile", "str", "CharField", "String(32)", "07700 900123"),
]
THINGS = [
    "product",
    "order",
    "invoice",
    "shipment",
    "coupon",
    "warehouse",
    "category",
    "basket",
    "report",
    "ticket",
    "job",
    "batch",
    "widget",
    "plan",
    "quote",
    "asset",
    "channel",
    "rule",
    "task",
    "metric",
    "region",
    "catalog",
    "feed",
    "bundle",
    "price_list",
]
PLAIN_ATTRS = [
    "sku",
    "price",
    "quantity",
    "total",
    "discount",
    "weight",
    "status",
    "code",
    "slug",
    "title",
    "currency",
    "created_at",
    "updated_at",
    "priority",
    "rank",
    "stock",
    "tax_rate",
    "width",
    "height",
    "colour",
    "size",
    "label",
    "version",
]
VERBS = [
    "load",
    "fetch",
    "build",
    "compute",
    "refresh",
    "sync",
    "apply",
    "merge",
    "render",
    "collect",
    "prepare",
    "resolve",
    "validate",
    "normalise",
    "export",
    "import_rows",
    "rebuild",
    "archive",
    "publish",
    "schedule",
    "estimate",
    "reconcile",
    "split",
]
ADJ = [
    "pending",
    "active",
    "stale",
    "recent",
    "daily",
    "bulk",
    "partial",
    "cached",
    "remote",
    "local",
    "primary",
    "draft",
    "final",
    "nightly",
    "weekly",
    "legacy",
]
PROJECTS = ["shopfront", "clinicdesk", "eventhub", "payroll", "rentals"]


class Gen:
    """Emits Python source lines with deterministic random choices."""

    def __init__(self, rng):
        self.r = rng
        self.counter = 0

    def uid(self):
        self.counter += 1
        return self.counter

    def pick(self, seq):
        return self.r.choice(seq)

    def name(self):
        r = self.r
        return f"{r.choice(VERBS)}_{r.choice(ADJ)}_{r.choice(THINGS)}"

    def cls(self, base=None):
        words = (base or self.pick(THINGS)).split("_")
        return "".join(w.capitalize() for w in words) + self.pick(["", "Record", "Item", "Entry", "Set", "Info"])

    def pd_fields(self, lo=3, hi=8):
        k = self.r.randint(lo, min(hi, len(PD_FIELDS)))
        return self.r.sample(PD_FIELDS, k)

    # ---- generic statements over defined names -----------------------------------------
    def expr(self, names):
        r = self.r
        a = r.choice(names)
        forms = [
            lambda: f"{a} * {r.randint(2, 9)} + {r.randint(1, 99)}",
            lambda: f"len({a}) if {a} else 0",
            lambda: f"round(float({a}) / {r.randint(2, 12)}, {r.randint(1, 3)})",
            lambda: f"max({a}, {r.randint(0, 50)})",
            lambda: f"str({a}).strip().lower()",
            lambda: f"[v for v in ({a} or []) if v]",
            lambda: f"{{'{self.pick(PLAIN_ATTRS)}': {a}, 'n': {r.randint(1, 500)}}}",
            lambda: f"sum(x for x in range({r.randint(2, 40)}))",
            lambda: f'f"{self.pick(THINGS)}-{{{a}}}"',
            lambda: f"({a}, {r.randint(0, 9)})",
        ]
        return r.choice(forms)()

    def block(self, names, ind, n, depth=0):
        r = self.r
        pad = " " * ind
        out = []
        names = list(names)
        for _ in range(n):
            kind = r.random()
            new = f"{self.pick(PLAIN_ATTRS)}_{self.pick(['value', 'count', 'items', 'result', 'key', 'data'])}"
            if kind < 0.35 or depth >= 2:
                out.append(f"{pad}{new} = {self.expr(names)}")
                names.append(new)
            elif kind < 0.5:
                cond = f"{r.choice(names)} is not None" if r.random() < 0.5 else f"not {r.choice(names)}"
                out.append(f"{pad}if {cond}:")
                out += self.block(names, ind + 4, r.randint(1, 3), depth + 1)
                if r.random() < 0.5:
                    out.append(f"{pad}else:")
                    out += self.block(names, ind + 4, r.randint(1, 2), depth + 1)
            elif kind < 0.65:
                it = f"item_{self.uid()}"
                out.append(f"{pad}for {it} in ({r.choice(names)} or []):")
                out += self.block(names + [it], ind + 4, r.randint(1, 3), depth + 1)
            elif kind < 0.75:
                out.append(f"{pad}try:")
                out += self.block(names, ind + 4, r.randint(1, 2), depth + 1)
                out.append(f"{pad}except (KeyError, ValueError, TypeError) as exc:")
                out.append(f'{pad}    logger.debug("{self.name()} skipped: %s", exc)')
            elif kind < 0.85:
                out.append(f"{pad}{new} = {{")
                for _ in range(r.randint(2, 5)):
                    out.append(f'{pad}    "{self.pick(PLAIN_ATTRS)}_{self.uid()}": {self.expr(names)},')
                out.append(f"{pad}}}")
                names.append(new)
            elif kind < 0.92:
                out.append(f'{pad}logger.debug("{self.name()}: %r", {r.choice(names)})')
            else:
                out.append(f"{pad}assert {r.choice(names)} is not None or True")
        return out

    def helper(self, ind=0, method=False):
        r = self.r
        params = r.sample(PLAIN_ATTRS, r.randint(1, 3))
        sig = ", ".join(
            (["self"] if method else []) + params + ([f"limit={r.randint(5, 500)}"] if r.random() < 0.4 else [])
        )
        pad = " " * ind
        out = []
        if r.random() < 0.2:
            out.append(
                f"{pad}@functools.lru_cache(maxsize={r.choice([32, 128, 1024])})"
                if not method
                else f"{pad}@staticmethod"
            )
            if method:
                sig = ", ".join(params)
        out.append(f"{pad}def {self.name()}_{self.uid()}({sig}):")
        if r.random() < 0.5:
            out.append(f'{pad}    """{self.pick(VERBS).capitalize()} the {self.pick(ADJ)} {self.pick(THINGS)} rows."""')
        out += self.block(params, ind + 4, r.randint(3, 9))
        out.append(f"{pad}    return {r.choice(params)}")
        out.append("")
        return out

    def plain_class(self):
        r = self.r
        thing = self.pick(THINGS)
        attrs = r.sample(PLAIN_ATTRS, r.randint(2, 5))
        out = [
            f"class {self.cls(thing)}{self.uid()}:",
            f'    """A {thing.replace("_", " ")} as the {self.pick(ADJ)} jobs see it."""',
            "",
        ]
        out.append(f"    def __init__(self, {', '.join(attrs)}):")
        out += [f"        self.{a} = {a}" for a in attrs]
        out.append("")
        for _ in range(r.randint(1, 3)):
            out += self.helper(4, method=True)
        out.append("    def __repr__(self):")
        out.append(f'        return f"<{thing} {{self.{attrs[0]}!r}}>"')
        out.append("")
        return out


# ---- per-kind file bodies ---------------------------------------------------------------


def _fields_kw(fields, src):
    return ", ".join(f'{f[0]}={src}.get("{f[0]}")' for f in fields)


def k_flask_views(g, pd):
    r = g.r
    head = [
        "import logging",
        "from flask import Blueprint, abort, jsonify, redirect, render_template, request, session, url_for",
        "",
        "from ..extensions import db",
        "from ..models import *  # noqa: F401,F403",
        "",
        "logger = logging.getLogger(__name__)",
        f'bp = Blueprint("{g.pick(THINGS)}_{g.uid()}", __name__)',
        "",
    ]

    def unit():
        out = []
        if pd and r.random() < 0.75:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields()
            route = g.pick(["signup", "register", "profile", "update", "invite", "contact", "details", "account"])
            fn = f"{route}_{ent}_{g.uid()}"
            out.append(f'@bp.route("/{ent}s/{route}", methods=["GET", "POST"])')
            out.append(f"def {fn}():")
            src = "request.form" if r.random() < 0.5 else "data"
            if src == "data":
                out.append("    data = request.get_json(silent=True) or {}")
            for f in fields:
                out.append(f'    {f[0]} = {src}.get("{f[0]}", "").strip()')
            out.append(f"    if not {fields[0][0]}:")
            out.append(f'        return jsonify({{"error": "{fields[0][0]} is required"}}), 400')
            if r.random() < 0.6:
                out.append(f'    logger.info("{route} for %s from %s", {fields[0][0]}, request.remote_addr)')
            out.append(f"    {ent} = {ent.capitalize()}({', '.join(f'{f[0]}={f[0]}' for f in fields)})")
            out.append(f"    db.session.add({ent})")
            out.append("    db.session.commit()")
            out.append(f'    session["{ent}_id"] = {ent}.id')
            if r.random() < 0.5:
                out.append(f'    return redirect(url_for(".{fn}"))')
            else:
                pairs = ", ".join(f'"{f[0]}": {ent}.{f[0]}' for f in fields[:3])
                out.append(f"    return jsonify({{{pairs}}}), 201")
            out.append("")
            return out
        thing = g.pick(THINGS)
        fn = f"{g.pick(VERBS)}_{thing}_{g.uid()}"
        out.append(f'@bp.route("/{thing}s/<int:item_id>")')
        out.append(f"def {fn}(item_id):")
        out.append('    page = int(request.args.get("page", 1))')
        out += g.block(["item_id", "page"], 4, r.randint(2, 6))
        out.append(f'    return render_template("{thing}/detail.html", item_id=item_id, page=page)')
        out.append("")
        return out

    return head, unit


def k_django_models(g, pd):
    r = g.r
    head = ["from django.conf import settings", "from django.db import models", "from django.utils import timezone", ""]

    def unit():
        if pd and r.random() < 0.7:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields(3, 9)
            out = [f"class {ent.capitalize()}{g.pick(['', 'Profile', 'Record', 'Details'])}{g.uid()}(models.Model):"]
            for f in fields:
                extra = (
                    "max_length=120, blank=True"
                    if f[2] == "CharField"
                    else ("unique=True" if f[2] == "EmailField" else "null=True, blank=True")
                )
                out.append(f"    {f[0]} = models.{f[2]}({extra})")
            out.append("    created_at = models.DateTimeField(default=timezone.now)")
            out.append("    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True)")
            out += ["", "    class Meta:", '        ordering = ["-created_at"]', f'        verbose_name = "{ent}"', ""]
            out.append("    def __str__(self):")
            out.append(f'        return f"{{self.{fields[0][0]}}} ({{self.pk}})"')
            out.append("")
            if any(f[0] == "first_name" for f in fields):
                out += [
                    "    def get_full_name(self):",
                    "        return f\"{self.first_name} {getattr(self, 'last_name', '')}\".strip()",
                    "",
                ]
            out += g.helper(4, method=True)
            return out
        thing = g.pick(THINGS)
        attrs = r.sample(PLAIN_ATTRS, r.randint(3, 6))
        out = [f"class {g.cls(thing)}{g.uid()}(models.Model):"]
        for a in attrs:
            out.append(
                f"    {a} = models.{g.pick(['CharField(max_length=64)', 'IntegerField(default=0)', 'DecimalField(max_digits=10, decimal_places=2)', 'BooleanField(default=False)'])}"
            )
        out += ["", "    def __str__(self):", f"        return str(self.{attrs[0]})", ""]
        if r.random() < 0.5:
            out += g.helper(4, method=True)
        return out

    return head, unit


def k_django_forms(g, pd):
    r = g.r
    head = ["from django import forms", "from django.core.exceptions import ValidationError", ""]

    def unit():
        if pd and r.random() < 0.75:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields()
            out = [
                f"class {ent.capitalize()}{g.pick(['Signup', 'Contact', 'Profile', 'Update'])}Form{g.uid()}(forms.Form):"
            ]
            for f in fields:
                ftype = "EmailField" if f[0] == "email" else ("DateField" if f[1] == "date" else "CharField")
                out.append(f"    {f[0]} = forms.{ftype}(required={r.choice(['True', 'False'])})")
            if r.random() < 0.5:
                out.append("    password = forms.CharField(widget=forms.PasswordInput)")
            out.append("")
            f0 = fields[0][0]
            out += [
                f"    def clean_{f0}(self):",
                f'        value = self.cleaned_data["{f0}"]',
                "        if not value:",
                f'            raise ValidationError("{f0} missing")',
                "        return value",
                "",
            ]
            return out
        out = [f"class {g.cls()}FilterForm{g.uid()}(forms.Form):"]
        for a in r.sample(PLAIN_ATTRS, r.randint(2, 5)):
            out.append(f"    {a} = forms.CharField(required=False)")
        out.append("")
        return out

    return head, unit


def k_django_views(g, pd):
    r = g.r
    head = [
        "import logging",
        "",
        "from django.contrib import messages",
        "from django.core.mail import send_mail",
        "from django.http import JsonResponse",
        "from django.shortcuts import get_object_or_404, redirect, render",
        "from django.views import View",
        "",
        "logger = logging.getLogger(__name__)",
        "",
    ]

    def unit():
        if pd and r.random() < 0.7:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields()
            if r.random() < 0.5:
                out = [
                    f"def {g.pick(['register', 'update', 'invite', 'verify'])}_{ent}_{g.uid()}(request):",
                    '    if request.method != "POST":',
                    f'        return render(request, "{ent}/form.html")',
                ]
                for f in fields:
                    out.append(f'    {f[0]} = request.POST.get("{f[0]}")')
                if any(f[0] == "email" for f in fields):
                    out.append('    send_mail("Welcome", "Thanks for joining", "noreply@example.org", [email])')
                out.append(f'    logger.info("{ent} updated: %s", {fields[0][0]})')
                out.append(f'    messages.success(request, f"Saved {{{fields[0][0]}}}")')
                out.append(f'    return redirect("{ent}-detail")')
                out.append("")
                return out
            pairs = ", ".join(f'"{f[0]}": obj.{f[0]}' for f in fields)
            out = [
                f"class {ent.capitalize()}DetailView{g.uid()}(View):",
                "    def get(self, request, pk):",
                f"        obj = get_object_or_404({ent.capitalize()}, pk=pk)  # noqa: F821",
                f"        return JsonResponse({{{pairs}}})",
                "",
            ]
            return out
        out = [f"def {g.name()}_{g.uid()}(request, pk):", '    page = request.GET.get("page", "1")']
        out += g.block(["pk", "page"], 4, r.randint(2, 6))
        out += [f'    return render(request, "{g.pick(THINGS)}/list.html", {{"page": page}})', ""]
        return out

    return head, unit


def k_fastapi(g, pd):
    r = g.r
    head = [
        "from datetime import date",
        "from typing import Optional",
        "",
        "from fastapi import APIRouter, Depends, HTTPException, Request",
        "from pydantic import BaseModel, EmailStr, Field",
        "",
        "from ..db import get_session",
        "",
        f'router = APIRouter(prefix="/{g.pick(THINGS)}s")',
        "",
    ]

    def unit():
        if pd and r.random() < 0.75:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields()
            n = g.uid()
            model = f"{ent.capitalize()}Create{n}"
            out = [f"class {model}(BaseModel):"]
            for f in fields:
                t = "EmailStr" if f[0] == "email" else f[1]
                out.append(f"    {f[0]}: {t}" if r.random() < 0.6 else f"    {f[0]}: Optional[{t}] = None")
            out += ["", f"class {ent.capitalize()}Out{n}(BaseModel):", "    id: int"]
            for f in fields[:3]:
                out.append(f"    {f[0]}: Optional[{f[1]}] = Field(default=None)")
            out += [
                "",
                "",
                f'@router.post("/{ent}s", response_model={ent.capitalize()}Out{n})',
                f"async def create_{ent}_{n}(payload: {model}, request: Request, db=Depends(get_session)):",
                f"    if await db.exists({ent}s_table, {fields[0][0]}=payload.{fields[0][0]}):  # noqa: F821",
                '        raise HTTPException(status_code=409, detail="already registered")',
                f"    row = await db.insert({ent}s_table, payload.dict())  # noqa: F821",
                "    client_host = request.client.host",
                f'    print("created", payload.{fields[0][0]}, client_host)'
                if r.random() < 0.3
                else "    del client_host",
                "    return row",
                "",
            ]
            return out
        thing = g.pick(THINGS)
        out = [
            f'@router.get("/{thing}s/{{item_id}}")',
            f"async def {g.pick(VERBS)}_{thing}_{g.uid()}(item_id: int, limit: int = 20):",
        ]
        out += g.block(["item_id", "limit"], 4, r.randint(2, 6))
        out += ['    return {"id": item_id, "limit": limit}', ""]
        return out

    return head, unit


def k_sqlalchemy(g, pd):
    r = g.r
    head = [
        "from datetime import datetime",
        "",
        "from sqlalchemy import Column, Date, DateTime, ForeignKey, Integer, Numeric, String",
        "from sqlalchemy.orm import Mapped, declarative_base, mapped_column, relationship",
        "",
        "Base = declarative_base()",
        "",
    ]

    def unit():
        if pd and r.random() < 0.7:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields(3, 9)
            n = g.uid()
            out = [
                f"class {ent.capitalize()}{n}(Base):",
                f'    __tablename__ = "{ent}s_{n}"',
                "",
                "    id = Column(Integer, primary_key=True)",
            ]
            modern = r.random() < 0.4
            for f in fields:
                if modern:
                    out.append(
                        f"    {f[0]}: Mapped[{f[1] if f[1] != 'date' else 'datetime'}] = mapped_column({f[3]}, nullable=True)"
                    )
                else:
                    out.append(
                        f"    {f[0]} = Column({f[3]}, nullable={r.choice(['True', 'False'])}, index={r.choice(['True', 'False'])})"
                    )
            out += [
                "    created_at = Column(DateTime, default=datetime.utcnow)",
                "",
                "    def to_dict(self):",
                "        return {",
            ]
            out += [f'            "{f[0]}": self.{f[0]},' for f in fields]
            out += ["        }", ""]
            return out
        thing = g.pick(THINGS)
        n = g.uid()
        out = [
            f"class {g.cls(thing)}{n}(Base):",
            f'    __tablename__ = "{thing}s_{n}"',
            "",
            "    id = Column(Integer, primary_key=True)",
        ]
        for a in r.sample(PLAIN_ATTRS, r.randint(2, 6)):
            out.append(f"    {a} = Column({g.pick(['String(64)', 'Integer', 'Numeric(10, 2)'])})")
        out.append("")
        return out

    return head, unit


def k_service(g, pd):
    r = g.r
    flavour = r.choice(["stdlib", "loguru", "structlog"])
    if flavour == "stdlib":
        head = ["import functools", "import logging", "", "logger = logging.getLogger(__name__)", ""]
    elif flavour == "loguru":
        head = ["import functools", "", "from loguru import logger", ""]
    else:
        head = [
            "import functools",
            "import logging",
            "",
            "import structlog",
            "",
            "log = structlog.get_logger()",
            "logger = logging.getLogger(__name__)",
            "",
        ]

    def log_pd(ent, f):
        if flavour == "stdlib":
            return f'    logger.{r.choice(["info", "warning", "error"])}("{g.pick(VERBS)} {ent} %s", {ent}.{f})'
        if flavour == "loguru":
            return f'    logger.{r.choice(["info", "warning", "error"])}(f"{g.pick(VERBS)} {ent} {{{ent}.{f}}}")'
        return f'    log.info("{ent}.{g.pick(VERBS)}", {f}={ent}.{f}, {ent}_id={ent}.id)'

    def unit():
        if pd and r.random() < 0.6:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields(2, 5)
            out = [
                f"def {g.pick(['notify', 'onboard', 'deactivate', 'merge', 'verify', 'export'])}_{ent}_{g.uid()}({ent}, repo, mailer=None):"
            ]
            out.append(f"    if {ent} is None:")
            out.append("        return None")
            for f in fields[: r.randint(1, 3)]:
                out.append(log_pd(ent, f[0]))
            out += g.block([ent, "repo"], 4, r.randint(1, 4))
            if any(f[0] == "email" for f in fields):
                out += [
                    "    if mailer is not None:",
                    f'        mailer.send(to={ent}.email, subject="Your account", body="...")',
                ]
            out.append(f"    repo.save({ent})")
            out.append(f"    return {ent}")
            out.append("")
            return out
        return g.helper() if r.random() < 0.8 else g.plain_class()

    return head, unit


def k_analytics(g, pd):
    r = g.r
    head = [
        "import logging",
        "",
        "import analytics",
        "import sentry_sdk",
        "from mixpanel import Mixpanel",
        "",
        "logger = logging.getLogger(__name__)",
        f'mp = Mixpanel("{g.uid():08x}")',
        "",
    ]

    def unit():
        if pd and r.random() < 0.7:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields(2, 5)
            choice = r.random()
            out = [
                f"def track_{g.pick(['signup', 'login', 'purchase', 'upgrade', 'churn'])}_{g.uid()}({ent}, event_props=None):"
            ]
            if choice < 0.4:
                out.append(f"    analytics.identify({ent}.id, {{")
                out += [f'        "{f[0]}": {ent}.{f[0]},' for f in fields]
                out += ["    })", f'    analytics.track({ent}.id, "{g.pick(VERBS)}", event_props or {{}})']
            elif choice < 0.7:
                out.append(f"    mp.people_set(str({ent}.id), {{")
                out += [f'        "${f[0]}": {ent}.{f[0]},' for f in fields]
                out.append("    })")
            else:
                out.append(f'    sentry_sdk.set_user({{"id": {ent}.id, "{fields[0][0]}": {ent}.{fields[0][0]}}})')
                out.append(f'    sentry_sdk.set_tag("plan", getattr({ent}, "plan", "free"))')
            out += ["    return True", ""]
            return out
        thing = g.pick(THINGS)
        out = [
            f"def track_{thing}_{g.uid()}(item_id, props=None):",
            f'    analytics.track("system", "{thing}.{g.pick(VERBS)}", {{"id": item_id, **(props or {{}})}})',
            "    return item_id",
            "",
        ]
        return out

    return head, unit


def k_utils(g, pd):
    r = g.r
    head = [
        "import functools",
        "import itertools",
        "import logging",
        "import math",
        "from collections import defaultdict",
        "",
        "logger = logging.getLogger(__name__)",
        "",
    ]

    def unit():
        if pd and r.random() < 0.5:
            f = g.pick(PD_FIELDS)[0]
            return [
                f"def mask_{f}_{g.uid()}(value):",
                "    if not value:",
                "        return value",
                '    return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]',
                "",
                f"def normalise_{f}_{g.uid()}(value):",
                '    return (value or "").strip().lower()',
                "",
            ]
        return g.helper() if r.random() < 0.75 else g.plain_class()

    return head, unit


def k_config(g, pd):
    r = g.r
    head = ["import os", ""]

    def unit():
        out = []
        for _ in range(r.randint(3, 8)):
            key = f"{g.pick(THINGS).upper()}_{g.pick(PLAIN_ATTRS).upper()}_{g.uid()}"
            out.append(f'{key} = os.environ.get("{key}", "{r.randint(1, 999)}")')
        out.append("")
        return out

    return head, unit


def k_tests(g, pd):
    r = g.r
    head = ["import pytest", "", ""]

    def unit():
        if pd and r.random() < 0.7:
            ent = g.pick(ENTITIES)
            fields = g.pd_fields(2, 6)
            n = g.uid()
            out = ["@pytest.fixture", f"def {ent}_payload_{n}():", "    return {"]
            out += [f'        "{f[0]}": "{f[4]}",' for f in fields]
            out += [
                "    }",
                "",
                "",
                f"def test_{g.pick(['create', 'update', 'reject', 'export'])}_{ent}_{n}(client, {ent}_payload_{n}):",
                f'    resp = client.post("/{ent}s", json={ent}_payload_{n})',
                "    assert resp.status_code in (200, 201)",
                f'    assert resp.json()["{fields[0][0]}"] == {ent}_payload_{n}["{fields[0][0]}"]',
                "",
            ]
            return out
        n = g.uid()
        a, b = r.randint(1, 50), r.randint(1, 50)
        out = [
            f'@pytest.mark.parametrize("value,expected", [({a}, {a * 2}), ({b}, {b * 2})])',
            f"def test_{g.name()}_{n}(value, expected):",
            "    assert value * 2 == expected",
            "",
        ]
        return out

    return head, unit


PD_KINDS = [
    (k_flask_views, "views", 3),
    (k_django_models, "models", 3),
    (k_django_forms, "forms", 1),
    (k_django_views, "views", 2),
    (k_fastapi, "routers", 2),
    (k_sqlalchemy, "tables", 2),
    (k_service, "services", 3),
    (k_analytics, "tracking", 1),
    (k_tests, "tests", 2),
    (k_utils, "utils", 1),
]
PLAIN_KINDS = [
    (k_utils, "utils", 5),
    (k_service, "services", 3),
    (k_config, "settings", 1),
    (k_tests, "tests", 3),
    (k_django_models, "models", 1),
    (k_sqlalchemy, "tables", 1),
    (k_flask_views, "views", 1),
    (k_fastapi, "routers", 1),
    (k_django_views, "views", 1),
    (k_analytics, "tracking", 1),
]


def _weighted(r, kinds):
    total = sum(w for *_, w in kinds)
    x = r.uniform(0, total)
    for fn, folder, w in kinds:
        x -= w
        if x <= 0:
            return fn, folder
    return kinds[-1][0], kinds[-1][1]


def generate(out: Path, lines: int, seed: int, personal_share: float = 0.33) -> dict:
    import random

    rng = random.Random(seed)
    g = Gen(rng)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    total = files = pd_files = pd_lines = 0
    used: set[Path] = set()
    # a fixed set of apps per project (Django-style: one folder per app, modules inside it)
    apps = []
    for i in range(max(len(PROJECTS), lines // 3000)):
        project = PROJECTS[i % len(PROJECTS)]
        apps.append((project, f"{rng.choice(THINGS)}_{rng.choice(['app', 'core', 'svc', 'api', 'web'])}_{i}"))
    while total < lines:
        project, app = rng.choice(apps)
        pd = rng.random() < personal_share
        fn, folder = _weighted(rng, PD_KINDS if pd else PLAIN_KINDS)
        base = out / project / ("tests" if fn is k_tests else app)
        stem = ("test_" if fn is k_tests else "") + f"{folder}_{rng.choice(THINGS)}"
        path = base / f"{stem}.py"
        while path in used:
            path = base / f"{stem}_{g.uid()}.py"
        used.add(path)
        target = rng.randint(160, 660) if pd else rng.randint(30, 170)
        head, unit = fn(g, pd)
        body = [f'"""{folder.capitalize()} for the {app.replace("_", " ")} of {project}."""', "", *head]
        while len(body) < target:
            body += [""] + unit()
        text = "\n".join(body).rstrip() + "\n"
        ast.parse(text, str(path), feature_version=(3, 10))  # every file must be valid Python 3.10
        base.mkdir(parents=True, exist_ok=True)
        for d in (out / project, base):
            init = d / "__init__.py"
            if not init.exists():
                init.write_text('"""Package."""\n')
                files += 1
                total += 1
        path.write_text(text)
        n = text.count("\n")
        files += 1
        total += n
        if PD_REGEX.search(text.encode()):
            pd_files += 1
            pd_lines += n
    stats = {"files": files, "lines": total, "pd_files": pd_files, "pd_lines": pd_lines, "seed": seed}
    return stats
