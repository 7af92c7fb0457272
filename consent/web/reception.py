"""Reception books visits and sends the patient's pre-visit link; it sees no answers."""
from datetime import date, time

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   url_for)

from ..db import get_db
from ..forms.staff import ConfirmForm
from ..forms.validators import clinic_today
from ..forms.visit import VisitForm
from ..intake.catalogue import TREATMENTS
from ..kernel.languages import CLINIC
from ..kernel.status import Refused
from ..practice import cooling_off
from ..visits import patient_mail, visits
from .audit import record
from .auth import role_required
from .languages import patient_languages
from .rules import get_ruleset

bp = Blueprint("reception", __name__, url_prefix="/reception")


def chosen_day():
    """Return the day asked for (?day=YYYY-MM-DD), else today."""
    try:
        return date.fromisoformat(request.args.get("day", ""))
    except ValueError:
        return clinic_today()


@bp.route("")
@role_required("reception")
def index():
    """List a day's visits with their state; never an answer or a flag."""
    day = chosen_day()
    return render_template("reception/index.html", day=day, rows=visits.day(get_db(), day),
                           form=ConfirmForm())


@bp.route("/visits/new", methods=["GET", "POST"])
@role_required("reception")
def new():
    """Book a visit and send the patient their link when there is an e-mail address."""
    form, db = visit_form(), get_db()
    if form.validate_on_submit():
        try:
            windows_kept(db, form.details())
            visit = visits.create(db, form.details(), g.user["username"], clinic_today())
        except Refused as error:
            form[error.field].errors.append(str(error))
            return booking_page(form, status=422)
        record("visit_created", detail=f"visit {visit['id']} booked")
        sent = send(visit)
        flash("Visit booked. " + ("The pre-visit link is on its way by e-mail." if sent else
                                  "No e-mail address: the patient answers at the tablet."))
        return redirect(url_for("reception.index", day=visit["treatment_date"]))
    return booking_page(form, status=422 if form.errors else 200)


def visit_form(**given):
    """Build the booking form, its languages the ones patients are offered."""
    form = VisitForm(**given)
    form.language.choices = [(code, language.name)
                             for code, language in patient_languages().items()]
    return form


def windows_kept(db, details):
    """Refuse a booking inside the treatment's cooling-off or a window the rules know."""
    if details["treatment"] in TREATMENTS:
        config = current_app.config
        visits.check_windows(db, details, cooling_off.hours(config, details["treatment"]),
                             get_ruleset().parameters, config["CLINIC_TIMEZONE"])


def booking_page(form, visit=None, status=200):
    """Render the booking form, new or for a visit, naming treatments that need notice."""
    ahead = {name: hours for name in TREATMENTS
             if (hours := cooling_off.hours(current_app.config, name))}
    return render_template("reception/new.html", form=form, visit=visit, ahead=ahead), status


@bp.route("/visits/<visit_id>/edit", methods=["GET", "POST"])
@role_required("reception")
def change(visit_id):
    """Change or reschedule a booking (after the patient answered: only its day and time)."""
    db = get_db()
    visit = visits.get(db, visit_id)
    if visit is None or visit["cancelled_at"]:
        abort(404)
    form = visit_form(data=None if request.method == "POST" else {
        **visit, "date_of_birth": date.fromisoformat(visit["date_of_birth"]),
        "visit_date": date.fromisoformat(visit["treatment_date"]),
        "visit_time": time.fromisoformat(visit["visit_time"]) if visit["visit_time"] else None,
        "language": visit["language"] or CLINIC})
    if not form.validate_on_submit():
        return booking_page(form, visit, 422 if form.errors else 200)
    try:
        windows_kept(db, form.details())
        visit = visits.update(db, visit, form.details(), clinic_today())
    except Refused as error:
        form[error.field].errors.append(str(error))
        return booking_page(form, visit, 422)
    record("visit_changed", detail=f"visit {visit_id} changed")
    flash("Visit changed. Links already sent keep working; send again if the patient needs "
          "the new day and time by e-mail.")
    return redirect(url_for("reception.index", day=visit["treatment_date"]))


@bp.route("/visits/<visit_id>/cancel", methods=["POST"])
@role_required("reception")
def cancel(visit_id):
    """Cancel a visit; its links stop opening."""
    visit = visits.get(get_db(), visit_id)
    if visit is None or not ConfirmForm().validate_on_submit():
        abort(404 if visit is None else 400)
    if visits.cancel(get_db(), visit_id):
        record("visit_cancelled", detail=f"visit {visit_id} cancelled")
    flash("Visit cancelled. Its links no longer open.")
    return redirect(url_for("reception.index", day=visit["treatment_date"]))


def send(visit):
    """Queue the visit's pre-visit link; audit it. False without an e-mail address."""
    sent = patient_mail.send(get_db(), current_app.config, current_app.instance_path, visit,
                             "questionnaire")
    if sent:
        record("link_sent", detail=f"pre-visit link for visit {visit['id']}")
    return sent


@bp.route("/visits/<visit_id>/send", methods=["POST"])
@role_required("reception")
def resend(visit_id):
    """Send a new pre-visit link (earlier ones keep working until they expire or are used)."""
    visit = visits.get(get_db(), visit_id)
    if visit is None or not ConfirmForm().validate_on_submit():
        abort(404 if visit is None else 400)
    if visit["cancelled_at"]:
        flash("This visit was cancelled; no link was sent.")
    elif visit["submission_id"]:
        flash("This patient has already answered; no new link was sent.")
    elif send(visit):
        flash("A new link is on its way.")
    else:
        flash("This visit has no e-mail address.")
    return redirect(url_for("reception.index", day=visit["treatment_date"]))


def init_app(app):
    """Register reception's pages."""
    app.register_blueprint(bp)
