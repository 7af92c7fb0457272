"""Enrolled tablets: only they are served the questionnaire."""
import functools

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from ..db import get_db
from ..forms.staff import LinkForm
from ..staff.tablets import UNUSED_DAYS, device, enrol, pending
from .audit import record

bp = Blueprint("kiosk", __name__, url_prefix="/kiosk")


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
    record("kiosk_enrolled", detail=f"tablet {kiosk['name']} opened its link",
                 username="tablet")
    return set_device_cookie(redirect(url_for("intake.questionnaire")), token)


@bp.route("/enrol/status", methods=["POST"])
def link_status():
    """Tell the enrolment page at once whether its link still works."""
    form = LinkForm()
    return jsonify(valid=form.validate_on_submit() and
                   pending(get_db(), form.token.data) is not None)


def init_app(app):
    """Register enrolment pages and the tablet loader."""
    app.register_blueprint(bp)
    app.before_request(load_kiosk)
    app.after_request(refresh_cookie)
