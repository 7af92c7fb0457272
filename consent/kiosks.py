"""Enrolled tablets: only they are served the questionnaire."""
import functools
import secrets
from datetime import datetime, timedelta

import click
from flask import (Blueprint, current_app, g, jsonify, redirect, render_template, request,
                   url_for)
from flask.cli import AppGroup

from . import audit, clock
from .db import get_db, immediate
from .forms.staff import LinkForm
from .links import public_link
from .sessions import token_hash

UNUSED_DAYS = 90  # a tablet not used for this long must be enrolled again
bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")
kiosk_cli = AppGroup("kiosk", help="Enrol and revoke reception tablets.")


def create(db, name, valid_hours=24):
    """Register a tablet and return its one-time enrolment token."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    db["kiosks"].insert({"id": secrets.token_urlsafe(8), "name": name,
                         "enrol_token_hash": token_hash(token),
                         "enrol_expires": clock.iso(now + timedelta(hours=valid_hours)),
                         "created_at": clock.iso(now)})
    return token


def pending(db, enrol_token):
    """Return the tablet a live enrolment token belongs to, or None."""
    row = next(db["kiosks"].rows_where("enrol_token_hash = ? and revoked_at is null",
                                       [token_hash(enrol_token)]), None)
    if row is None or datetime.fromisoformat(row["enrol_expires"]) < clock.now():
        return None
    return row


def enrol(db, enrol_token):
    """Spend a one-time token; return the kiosk and its device token, or (None, None)."""
    with immediate(db):
        row = pending(db, enrol_token)
        if row is None:
            return None, None
        device, now = secrets.token_urlsafe(32), clock.iso(clock.now())
        db["kiosks"].update(row["id"], {"enrol_token_hash": None, "token_hash": token_hash(device),
                                        "enrolled_at": now, "last_seen": now})
    return row, device


def revoke(db, kiosk_id):
    """Revoke a tablet; its cookie stops working at once."""
    db["kiosks"].update(kiosk_id, {"revoked_at": clock.iso(clock.now()),
                                   "enrol_token_hash": None})


def enrolment_link(config, token):
    """Return the link to open on the tablet."""
    return public_link(config, "/kiosk/enrol", token)


def device(db, token):
    """Return the live tablet for a device token, noting its use; None if unknown or stale."""
    row = next(db["kiosks"].rows_where("token_hash = ? and revoked_at is null",
                                       [token_hash(token)]), None)
    now = clock.now()
    if row is None or datetime.fromisoformat(row["last_seen"]) < now - timedelta(days=UNUSED_DAYS):
        return None
    if datetime.fromisoformat(row["last_seen"]) < now - timedelta(hours=1):
        db["kiosks"].update(row["id"], {"last_seen": clock.iso(now)})  # hourly is enough
    return row


def load_kiosk():
    """Attach the enrolled tablet, if this is one, to g."""
    token = request.cookies.get(current_app.config["KIOSK_COOKIE"])
    g.kiosk = None
    if token and request.endpoint != "static":
        g.kiosk = device(get_db(), token)
        g.kiosk_token = token


def set_device_cookie(response, token):
    """Give the tablet its cookie for UNUSED_DAYS from now."""
    response.set_cookie(current_app.config["KIOSK_COOKIE"], token, httponly=True,
                        max_age=UNUSED_DAYS * 24 * 3600, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def refresh_cookie(response):
    """Renew a tablet's cookie whenever it is used, so only unused tablets drop out."""
    if g.get("kiosk") is not None and request.endpoint != "static":
        set_device_cookie(response, g.kiosk_token)
    return response


def kiosk_required(view):
    """Serve the view only to an enrolled tablet."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.kiosk is None:
            return render_template("kiosk/not_enrolled.html"), 403
        return view(**kwargs)
    return wrapped


@bp.route("/enrol", methods=["GET", "POST"])
def enrol_device():
    """Turn this browser into an enrolled tablet, once per link."""
    form = LinkForm()
    if not form.validate_on_submit():
        return render_template("kiosk/enrol.html", form=form), 422 if form.errors else 200
    kiosk, token = enrol(get_db(), form.token.data)
    if kiosk is None:
        return render_template("kiosk/enrol.html", form=form, invalid=True), 410
    audit.record("kiosk_enrolled", detail=f"tablet {kiosk['name']} opened its link",
                 username="tablet")
    return set_device_cookie(redirect(url_for("intake.questionnaire")), token)


@bp.route("/enrol/status", methods=["POST"])
def link_status():
    """Tell the enrolment page at once whether its link still works."""
    form = LinkForm()
    return jsonify(valid=form.validate_on_submit() and
                   pending(get_db(), form.token.data) is not None)


@kiosk_cli.command("enrol")
@click.argument("name")
def enrol_command(name):
    """Register a tablet and print its one-time enrolment link (valid 24 hours)."""
    token = create(get_db(), name)
    audit.record("kiosk_enrolled", detail=f"link issued for {name}", username="cli")
    click.echo(enrolment_link(current_app.config, token))


kiosk_cli.add_command(enrol_command, "enroll")  # the spelling earlier versions documented


def init_app(app):
    """Register enrolment pages, the kiosk loader and the kiosk CLI."""
    app.register_blueprint(bp)
    app.before_request(load_kiosk)
    app.after_request(refresh_cookie)
    app.cli.add_command(kiosk_cli)
