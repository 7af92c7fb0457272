"""The patient's own pages, opened from a link with their date of birth.

The token travels in the link's fragment and then in a POST, never in a path or query a
log could keep. Once the date of birth matches, this browser's session holds only the
link's hash; it closes after PATIENT_IDLE_MINUTES without a request.
"""
from datetime import datetime, timedelta

from flask import (Blueprint, abort, current_app, jsonify, redirect, render_template, request,
                   session, url_for)
from flask_babel import gettext

from ..db import get_db
from ..forms.visit import OpenLinkForm
from ..kernel import clock
from ..kernel.languages import CLINIC
from ..staff import throttle
from ..visits import patient_mail, visit_links, visits
from .languages import choosing_language, page_language

bp = Blueprint("visit", __name__, url_prefix="/visit")
PAGES = {"questionnaire": "home.questionnaire", "copy": "home.copy",
         "aftercare": "home.aftercare"}


def opened(*purposes):
    """Return (link, visit) this browser opened for one of these purposes, or abort (403)."""
    seen = session.get("visit_seen")
    idle = timedelta(minutes=current_app.config["PATIENT_IDLE_MINUTES"])
    link = visit_links.live(get_db(), session.get("visit_link"))
    if link is None or link["purpose"] not in purposes or not seen or \
            datetime.fromisoformat(seen) + idle < clock.now():
        close()
        abort(403)
    session["visit_seen"] = clock.iso(clock.now())
    return link, visits.get(get_db(), link["visit_id"])


def remember_language(language, visit):
    """Keep the language chosen on this page, else the one the patient answered in."""
    if language == CLINIC:
        language = patient_mail.language_of(get_db(), visit)
    session["language"] = language


def close():
    """Forget the opened link in this browser."""
    for key in ("visit_link", "visit_seen", "language"):
        session.pop(key, None)


@bp.route("", methods=["GET", "POST"])
def open_link():
    """Ask for the date of birth; open the link's page when it matches."""
    form, db, address = OpenLinkForm(), get_db(), request.remote_addr or ""
    if choosing_language():  # the same page in the patient's language; the token stays
        form.date_of_birth.errors = []
        return render_template("visit/open.html", form=form)
    if not form.validate_on_submit():
        return render_template("visit/open.html", form=form), 422 if form.errors else 200
    try:
        throttle.check_address(db, address, current_app.config)
        link, visit = visit_links.open_link(db, form.token.data, form.date_of_birth.data)
    except throttle.Throttled:
        return render_template("visit/open.html", form=form, throttled=True), 429
    except visit_links.WrongBirthDate as wrong:
        throttle.record_failure(db, "?", address)
        form.date_of_birth.errors.append(gettext(wrong.words, **wrong.values))
        return render_template("visit/open.html", form=form), 422
    except visit_links.LinkRefused as refused:
        return render_template("visit/open.html", form=form,
                               refused=gettext(refused.words, **refused.values)), 410
    if link["purpose"] == "questionnaire":
        visits.note(db, visit["id"], "opened_at")
    language = page_language().code
    session.clear()  # nothing of an earlier patient's visit survives in this browser
    session.update(visit_link=link["token_hash"], visit_seen=clock.iso(clock.now()))
    remember_language(language, visit)
    return redirect(url_for(PAGES[link["purpose"]]))


@bp.route("/status", methods=["POST"])
def link_status():
    """Tell the page at once whether its link still works (before the date of birth)."""
    form = OpenLinkForm()
    try:
        valid = bool(form.token.data) and bool(visit_links.find(get_db(), form.token.data))
    except visit_links.LinkRefused:
        valid = False
    return jsonify(valid=valid)


@bp.route("/closed", methods=["GET", "POST"])
def closed():
    """Close the patient's page (idle wipe, or "I have finished")."""
    close()
    return render_template("visit/closed.html")


def init_app(app):
    """Register the link pages."""
    app.register_blueprint(bp)

