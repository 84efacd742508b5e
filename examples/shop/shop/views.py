import logging

import analytics
import requests
import sentry_sdk
from flask import Blueprint, jsonify, request

from .models import Customer, db

log = logging.getLogger(__name__)
bp = Blueprint("shop", __name__)


@bp.post("/signup")
def signup():
    email = request.form["email"]
    customer = Customer(email=email, full_name=request.form.get("full_name"))
    customer.set_password(request.form["password"])
    db.session.add(customer)
    db.session.commit()
    log.info("new customer %s", email)
    analytics.identify(customer.id, {"email": customer.email, "plan": "free"})
    return jsonify(id=customer.id)


@bp.get("/lookup")
def lookup():
    phone = request.args.get("phone")
    resp = requests.get(f"https://crm.example.com/search?phone={phone}", timeout=5)
    return jsonify(resp.json())


@bp.errorhandler(500)
def on_error(exc):
    sentry_sdk.set_user({"id": request.remote_addr})
    log.error("checkout failed for customer %s", request.args.get("customer_id"))
    return "error", 500
