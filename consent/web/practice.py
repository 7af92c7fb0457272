"""Practitioners take consent in person, countersign it, and record the treatment."""

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import force_locale
from markupsafe import Markup

from .. import workflow
from ..db import get_db
from ..evidence import archive
from ..forms.fields import options
from ..forms.practice import CountersignForm, PinForm, treatment_form
from ..forms.validators import clinic_today
from ..intake import changes, submissions
from ..intake.display import answer_sections
from ..kernel.languages import CLINIC, shipped
from ..kernel.status import Refused, Status, current, require
from ..practice import consents, cooling_off, signing, treatments
from ..review import decisions, queue as lists
from ..staff import accounts
from ..visits import patient_mail, visits
from .audit import record
from .auth import role_required
from .home import aftercare_content, download_name
from .languages import page_language
from .rules import get_ruleset

bp = Blueprint("practice", __name__, url_prefix="/practice")


def submission_or_404(submission_id):
    """Load a submission or answer 404."""
    found = submissions.get(get_db(), submission_id)
    if found is None:
        abort(404)
    return found


def field(form, name):
    """Return the form field a domain error names ("products-0-expiry" included)."""
    if name.startswith("products-"):
        _, row, part = name.split("-")
        return form.products[int(row)].form[part]
    return form[name]


def page(template, submission, form, status=200):
    """Render a practitioner's page about one submission."""
    db, today = get_db(), clinic_today()
    last_visit, changed = changes.since_last_visit(db, submission)
    seen = lists.history(db, submission, today)
    visit = visits.for_submission(db, submission["id"])
    return render_template(
        template, submission=submission, form=form, today=today, last_visit=last_visit,
        changed=changed, now=current(submission["status"], submission["treatment_date"], today),
        decision=decisions.get(db, submission["id"]), consent=consents.get(db, submission["id"]),
        treatment=treatments.get(db, submission["id"]), has_pin=signing.has_pin(
            db, g.user["username"]),
        sections=answer_sections(submission["answers"], submission["evaluation"],
                                 submission.get("edition", "1")),
        history=seen, next_sessions=lists.next_sessions(
            seen, get_ruleset().parameters["min_interval_days"]),
        visit=visit, cooling_off=cooling_off.summary(current_app.config, submission, visit)),\
        status


@bp.route("/<submission_id>", methods=["GET", "POST"])
@role_required("practitioner")
def countersign(submission_id):
    """Show what the patient answered; countersign their consent once confirmed."""
    found, form, db = submission_or_404(submission_id), CountersignForm(), get_db()
    if request.method == "GET":
        record("submission_viewed", submission_id)
    if not form.validate_on_submit():
        return page("practice/countersign.html", found, form, 422 if form.errors else 200)
    try:
        # Refuse an impossible or incomplete step before a one-time code is spent on it.
        require(found, Status.AWAITING_CONSENT, clinic_today(), "countersigning")
        consents.check(found, form.identity_checked.data, form.discussed.data,
                       form.answer_to_questions.data, form.guardian_checked.data,
                       form.capacity_confirmed.data, form.interpreter.data,
                       form.interpreter_name.data)
        visit = visits.for_submission(db, submission_id)
        # Checked again when recorded; here so that no one-time code is spent on a refusal.
        waiver = cooling_off.check(current_app.config, found, visit, accounts.may(
            g.user["role"], "doctor"), form.cooling_off_reason.data)
        how = signing.confirm(db, g.user["username"], request.remote_addr or "",
                              current_app.config, form.password.data, form.code.data,
                              form.pin.data)
        if visit and form.unchanged_confirmed.data:
            visits.note(db, visit["id"], "arrival_confirmed_at")
        archived = workflow.countersign(
            db, current_app.config, submission_id, g.user["username"], clinic_today(), how,
            identity_checked=form.identity_checked.data, discussed=form.discussed.data,
            answer=form.answer_to_questions.data, cooling_off_reason=waiver,
            guardian_checked=form.guardian_checked.data,
            capacity_confirmed=form.capacity_confirmed.data,
            interpreter=form.interpreter.data, interpreter_name=form.interpreter_name.data)
    except Refused as error:  # a credential, a box, the answer or the period, by its field
        form[error.field].errors.append(str(error))
        return page("practice/countersign.html", found, form, 422)
    sent = archived and patient_mail.after(db, current_app.config, current_app.instance_path,
                                           submission_id, "copy")
    flash("Consent countersigned. " + ("The sealed consent is in the archive." if archived else
          "The sealed PDF could not be made yet; `flask archive retry` will finish it.") +
          (" The patient's copy is on its way by e-mail." if sent else ""))
    return redirect(url_for("practice.treatment", submission_id=submission_id))


@bp.route("/<submission_id>/copy.pdf")
@role_required("practitioner")
def copy_pdf(submission_id):
    """Open the sealed consent to print for a patient who gave no e-mail; audited."""
    found, db = submission_or_404(submission_id), get_db()
    entry = archive.entry(db, submission_id)
    if entry is None:
        abort(404)
    record("patient_copy_printed", submission_id)
    return send_file(archive.newest_file(db, current_app.config["ARCHIVE_DIR"], entry),
                     mimetype="application/pdf", download_name=download_name(found),
                     max_age=0)


@bp.route("/<submission_id>/aftercare")
@role_required("practitioner")
def aftercare_sheet(submission_id):
    """Show the patient's aftercare as a sheet to print (the treatment must be recorded)."""
    found = submission_or_404(submission_id)
    done = treatments.get(get_db(), submission_id)
    if done is None or done["outcome"] != "treated":
        abort(404)
    record("aftercare_printed", submission_id)
    # The patient takes the sheet home: it speaks their language, the page around it ours.
    with force_locale(found["language"] if found["language"] in shipped() else CLINIC):
        sheet = render_template("practice/_aftercare_sheet.html", submission=found,
                                **aftercare_content(found, treatments.areas(done)))
        language = page_language()
    return render_template("practice/aftercare_sheet.html", submission=found,
                           sheet=Markup(sheet), sheet_language=language)


@bp.route("/<submission_id>/history")
@role_required("practitioner")
def history(submission_id):
    """Show every visit of this patient, and when each area may next be treated."""
    found = submission_or_404(submission_id)
    record("history_viewed", submission_id)
    return page("practice/history.html", found, None)


@bp.route("/<submission_id>/treatment", methods=["GET", "POST"])
@role_required("practitioner")
def treatment(submission_id):
    """Record what was done under a countersigned consent, or why nothing was."""
    found = submission_or_404(submission_id)
    form = treatment_form(found["treatment"])()
    form.numbing_reviewed_by.choices = options(("", "None needed"), *accounts.doctors(get_db()))
    if not form.validate_on_submit():
        return page("practice/treatment.html", found, form, 422 if form.errors else 200)
    tz = current_app.config["CLINIC_TIMEZONE"]
    try:
        archived = workflow.record_treatment(
            get_db(), current_app.config, submission_id, g.user["username"], clinic_today(),
            form.outcome.data, form.details(clinic_today(), tz), form.reason.data)
    except treatments.TreatmentError as error:
        field(form, error.field).errors.append(str(error))
        return page("practice/treatment.html", found, form, 422)
    sent = form.outcome.data == "treated" and patient_mail.after(
        get_db(), current_app.config, current_app.instance_path, submission_id, "aftercare")
    flash("Treatment record saved. " + ("The sealed record is in the archive." if archived else
          "The sealed PDF could not be made yet; `flask archive retry` will finish it.") +
          (" The aftercare message is on its way." if sent else ""))
    return redirect(url_for("today.index"))


@bp.route("/pin", methods=["GET", "POST"])
@role_required("practitioner")
def pin():
    """Set a signing PIN, so countersigning needs no fresh authenticator code."""
    form, db = PinForm(), get_db()
    if form.validate_on_submit():
        user = db["users"].get(g.user["username"])
        try:
            if not accounts.verify(user["password_hash"], form.password.data):
                raise signing.SigningError("password", "That password is not right.")
            signing.set_pin(db, g.user["username"], form.pin.data)
        except signing.SigningError as error:
            form[error.field].errors.append(str(error))
            return render_template("practice/pin.html", form=form), 422
        record("pin_set", detail=f"{g.user['username']} set a signing PIN")
        flash("Your signing PIN is set.")
        return redirect(url_for("today.index"))
    return render_template("practice/pin.html", form=form), 422 if form.errors else 200


def init_app(app):
    """Register the practitioner's pages."""
    app.register_blueprint(bp)
