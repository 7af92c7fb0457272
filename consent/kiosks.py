"""Enrolled tablets: only they are served the questionnaire."""
import functools
import secrets
from datetime import datetime, timedelta

import click
from flask import (Blueprint, current_app, g, has_request_context, redirect, render_template,
                   request, url_for)
from flask.cli import AppGroup

from . import audit, clock
from .auth import token_hash
from .db import get_db, immediate
from .forms.staff import ConfirmForm

COOKIE = "consent_kiosk"
COOKIE_MAX_AGE = 5 * 365 * 24 * 3600
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


def enrol(db, enrol_token):
    """Spend a one-time token; return the kiosk and its device token, or (None, None)."""
    with immediate(db):
        rows = list(db["kiosks"].rows_where(
            "enrol_token_hash = ? and revoked_at is null", [token_hash(enrol_token)]))
        if not rows or datetime.fromisoformat(rows[0]["enrol_expires"]) < clock.now():
            return None, None
        device = secrets.token_urlsafe(32)
        db["kiosks"].update(rows[0]["id"], {"enrol_token_hash": None,
                                            "token_hash": token_hash(device),
                                            "enrolled_at": clock.iso(clock.now())})
    return rows[0], device


def revoke(db, kiosk_id):
    """Revoke a tablet; its cookie stops working at once."""
    db["kiosks"].update(kiosk_id, {"revoked_at": clock.iso(clock.now()),
                                   "enrol_token_hash": None})


def enrolment_link(token):
    """Return the link to open on the tablet: this server's address, else PUBLIC_URL."""
    if has_request_context():
        return url_for("kiosk.enrol_device", token=token, _external=True)
    return f"{current_app.config['PUBLIC_URL'].rstrip('/')}/kiosk/enrol/{token}"


def load_kiosk():
    """Attach the enrolled tablet, if this is one, to g."""
    token = request.cookies.get(COOKIE)
    g.kiosk = None
    if token and request.endpoint != "static":
        g.kiosk = next(get_db()["kiosks"].rows_where(
            "token_hash = ? and revoked_at is null", [token_hash(token)]), None)


def kiosk_required(view):
    """Serve the view only to an enrolled tablet."""
    @functools.wraps(view)
    def wrapped(**kwargs):
        if g.kiosk is None:
            return render_template("kiosk/not_enrolled.html"), 403
        return view(**kwargs)
    return wrapped


@bp.route("/enrol/<token>", methods=["GET", "POST"])
def enrol_device(token):
    """Turn this browser into an enrolled tablet, once per link."""
    form = ConfirmForm()
    if not form.validate_on_submit():
        return render_template("kiosk/enrol.html", form=form)
    kiosk, device = enrol(get_db(), token)
    if kiosk is None:
        return render_template("kiosk/enrol.html", form=form, invalid=True), 410
    audit.record("kiosk_enrolled", detail=f"tablet {kiosk['name']} opened its link",
                 username="tablet")
    response = redirect(url_for("intake.questionnaire"))
    response.set_cookie(COOKIE, device, max_age=COOKIE_MAX_AGE, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@kiosk_cli.command("enroll")
@click.argument("name")
def enroll_command(name):
    """Register a tablet and print its one-time enrolment link (valid 24 hours)."""
    token = create(get_db(), name)
    audit.record("kiosk_enrolled", detail=f"link issued for {name}", username="cli")
    click.echo(enrolment_link(token))


def init_app(app):
    """Register enrolment pages, the kiosk loader and the kiosk CLI."""
    app.register_blueprint(bp)
    app.before_request(load_kiosk)
    app.cli.add_command(kiosk_cli)
