"""What an opened link serves: the questionnaire at home, the patient's copy, aftercare."""
import re

from flask import (Blueprint, abort, current_app, flash, redirect, render_template, send_file,
                   session, url_for)
from flask_babel import gettext

from .. import workflow
from ..db import get_db
from ..evidence import archive
from ..forms import QuestionnaireForm, encode_form
from ..forms.fields import options
from ..forms.visit import PhotoWithdrawalForm, ReactionForm
from ..intake import display, information, photos, submissions
from ..intake.questionnaire import SECTIONS
from ..kernel import clock
from ..kernel.languages import translator
from ..kernel.names import name_key
from ..kernel.status import Refused
from ..practice import treatments
from ..review import decisions, queue
from ..visits import patient_mail, reactions, visit_links, visits
from .audit import record
from .intake import for_you
from .languages import choosing_language, page_language
from .reactions import signs
from .rules import get_ruleset
from .visit import close, opened

bp = Blueprint("home", __name__, url_prefix="/visit")
FROM_VISIT = ("first_name", "last_name", "treatment")


def questionnaire_form(visit, **given):
    """Build the questionnaire, its first answers taken from the booking."""
    booked = {k: visit[k] for k in FROM_VISIT}
    form = QuestionnaireForm(**given, data={
        **booked, "date_of_birth": clock.parse_date(visit["date_of_birth"])})
    form.treatment_date = clock.parse_date(visit["treatment_date"])
    return form


@bp.route("/questionnaire", methods=["GET", "POST"])
def questionnaire():
    """Show the questionnaire for a booked visit; store it once, when every answer is valid."""
    link, visit = opened("questionnaire")
    form = questionnaire_form(visit)
    if choosing_language():  # a fresh page in it; the link's later pages follow it too
        session["language"] = page_language().code
        form = questionnaire_form(visit, formdata=None)
    elif form.validate_on_submit():
        if not visits.birth_date_matches(visit, form.date_of_birth.data):
            form.date_of_birth.errors.append(gettext(
                "This is not the date of birth the clinic has for this visit. Please check it, "
                "or call the clinic."))
        else:
            try:
                workflow.submit(get_db(), get_ruleset(), encode_form(form), form.signature.png,
                                form.treatment_date, typed=form.signature_typed.data,
                                guardian=form.guardian(), phone=current_app.config["CLINIC_PHONE"],
                                within=visit_links.spender(link["token_hash"], visit["id"]),
                                language=page_language().code)
            except visit_links.Spent:
                abort(403)
            language = page_language().code
            close()
            session["language_once"] = language
            return redirect(url_for("home.thanks"))
    return render_template("intake/questionnaire.html", form=form, sections=SECTIONS,
                           action=url_for("home.questionnaire"), at_home=True,
                           for_you=url_for("home.what_this_means"),
                           wipe_to=url_for("visit.closed")), 422 if form.errors else 200


@bp.route("/questionnaire/for-you", methods=["POST"])
def what_this_means():
    """Tell the patient at home, before they sign, what their answers mean for them."""
    _, visit = opened("questionnaire")
    return for_you(clock.parse_date(visit["treatment_date"]))


@bp.route("/thanks")
def thanks():
    """Thank the patient; their answers are not shown again."""
    return render_template("visit/thanks.html")


@bp.route("/copy")
def copy():
    """Offer the patient their sealed consent."""
    opened("copy")
    return render_template("visit/copy.html")


@bp.route("/copy.pdf")
def copy_pdf():
    """Send the sealed consent as archived; every download is audited."""
    _, visit = opened("copy")
    db = get_db()
    entry = archive.entry(db, visit["submission_id"])
    if entry is None:
        abort(404)
    record("patient_copy_downloaded", visit["submission_id"], username="patient",
           detail="the patient downloaded their copy through their link")
    path = archive.newest_file(db, current_app.config["ARCHIVE_DIR"], entry)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=download_name(submissions.get(db, visit["submission_id"])),
                     max_age=0)


def download_name(submission):
    """Name a consent's file by whose it is and when: consent-ada-lovelace-2026-12-02.pdf."""
    who = re.sub(r"[^a-z0-9]+", "-", name_key(submission["first_name"],
                                              submission["last_name"])).strip("-")
    return f"consent-{who or 'patient'}-{submission['treatment_date']}.pdf"


def treated_here(visit):
    """Return the visit's submission and the areas its treatment record names."""
    submission = submissions.get(get_db(), visit["submission_id"])
    return submission, treatments.areas(treatments.get(get_db(), submission["id"]))


def aftercare_content(submission, treated):
    """Return what the aftercare says for what was done: advice, next sessions, the text."""
    days = get_ruleset().parameters["min_interval_days"]
    # Today's words for their treatment: the aftercare is advice, not the sealed record.
    language = page_language().code
    text = information.render([submission["treatment"]], current_app.config["CLINIC_PHONE"],
                              language)
    words = translator(language).gettext
    return {"advice": decisions.for_patient(submission, decisions.get(get_db(), submission["id"]),
                                            words),
            "next": queue.next_sessions([{"treatment_date": submission["treatment_date"],
                                          "treated": treated}], days),
            "aftercare": information.sections(text, words("Aftercare"),
                                              words("Warning signs after treatment"))}


def aftercare_page(submission, treated, form, status=200):
    """Render the aftercare for what was done, with the reaction form."""
    emergency = [sign.browser_pattern for sign in signs() if sign.level == "emergency"]
    return render_template("visit/aftercare.html", form=form, emergency=emergency,
                           **aftercare_content(submission, treated)), status


@bp.route("/aftercare", methods=["GET", "POST"])
def aftercare():
    """Show the aftercare; take a reaction report sent from the same page."""
    _, visit = opened("aftercare")
    submission, treated = treated_here(visit)
    form = ReactionForm()
    form.area.choices = [(area, gettext(display.show("areas", [area]))) for area in treated]
    if form.validate_on_submit():
        photo = form.photo.data
        try:
            row = reactions.report(get_db(), signs(), submission["id"], form.what.data,
                                   form.area.data, form.since.data,
                                   photo.read() if photo else None, page_language().code)
        except Refused as error:
            form[error.field].errors.append(gettext(str(error)))
            return aftercare_page(submission, treated, form, 422)
        if row["urgent"]:
            patient_mail.alert_clinic(get_db(), current_app.config, current_app.instance_path)
        session["reported_emergency"] = bool(row["emergency"])  # not in the URL: health data
        return redirect(url_for("home.reported"))
    return aftercare_page(submission, treated, form, 422 if form.errors else 200)


@bp.route("/photos", methods=["GET", "POST"])
def photo_permissions():
    """Let the patient see, and withdraw, the photo permissions they gave."""
    _, visit = opened("copy", "aftercare")
    db = get_db()
    submission = submissions.get(db, visit["submission_id"])
    given = photos.standing(db, submission)
    form = PhotoWithdrawalForm()
    form.withdraw.choices = options(*((p["name"], gettext(p["label"])) for p in given
                                      if not p["withdrawn_at"]))
    if form.validate_on_submit():
        photos.withdraw(db, submission, form.withdraw.data)
        flash(gettext("Your permission is withdrawn. The clinic has been told."))
        return redirect(url_for("home.photo_permissions"))
    return render_template("visit/photos.html", form=form, given=given), \
        422 if form.errors else 200


@bp.route("/reported")
def reported():
    """Confirm a reaction report reached the clinic."""
    return render_template("visit/reported.html",
                           emergency=session.pop("reported_emergency", False))


def init_app(app):
    """Register the pages an opened link serves."""
    app.register_blueprint(bp)
