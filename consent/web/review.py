"""Doctors review flagged submissions, decide, and download sealed consents."""

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, send_file,
                   url_for)

from .. import workflow
from ..db import get_db
from ..evidence import archive, fhir_export
from ..forms.staff import DecisionForm, SearchForm
from ..forms.validators import clinic_today
from ..intake import changes, submissions
from ..intake.display import answer_sections
from ..practice import cooling_off
from ..review import decisions, queue as lists
from ..visits import reactions, visits
from .audit import record
from .auth import role_required
from .rules import get_ruleset

bp = Blueprint("review", __name__, url_prefix="/review")


@bp.route("", methods=["GET", "POST"])
@role_required("doctor")
def queue():
    """Show the queue, or the results of a search posted from it."""
    form = SearchForm()
    if form.validate_on_submit():
        rows = lists.search(get_db(), clinic_today(), form.name.data or "",
                                form.date_of_birth.data, form.treatment_date.data)
        record("search")
        return render_template("review/queue.html", form=form, rows=rows, searched=True)
    return render_template("review/queue.html", form=form,
                           rows=lists.queue(get_db(), clinic_today()),
                           unseen=reactions.unseen(get_db()))


def submission_or_404(submission_id):
    """Load a submission or answer 404."""
    submission = submissions.get(get_db(), submission_id)
    if submission is None:
        abort(404)
    return submission


def cooling_off_until(submission):
    """Template global: when treatment may start while a cooling-off period runs, else None."""
    return cooling_off.until(current_app.config, submission,
                             visits.for_submission(get_db(), submission["id"]))


def show_submission(submission, form, status=200):
    """Render one submission for a doctor."""
    db = get_db()
    if when := cooling_off_until(submission):  # never offer what countersigning will refuse
        form.outcome.choices = [(c.value, f"Approve: treat from {when}" if c.value ==
                                 "approved" else c.label) for c in form.outcome.choices]
    last_visit, changed = changes.since_last_visit(db, submission)
    return render_template(
        "review/submission.html", submission=submission, form=form, last_visit=last_visit,
        changed=changed,
        decision=decisions.get(db, submission["id"]),
        sections=answer_sections(submission["answers"], submission["evaluation"],
                                 submission.get("edition", "1")),
        earlier=lists.earlier_consents(db, submission),
        archived=archive.entry(db, submission["id"])), status


@bp.route("/<submission_id>")
@role_required("doctor")
def submission(submission_id):
    """Show flags first, then every answer, earlier consents and the decision."""
    found = submission_or_404(submission_id)
    record("submission_viewed", submission_id)
    return show_submission(found, DecisionForm())


@bp.route("/<submission_id>/decide", methods=["POST"])
@role_required("doctor")
def decide(submission_id):
    """Record the decision, then seal and archive the consent."""
    found, form = submission_or_404(submission_id), DecisionForm()
    if not form.validate_on_submit():
        return show_submission(found, form, 422)
    try:
        archived = workflow.decide(get_db(), current_app.config, submission_id, g.user["username"],
                        form.outcome.data, note=form.note.data,
                        override_reason=form.override_reason.data, product=form.product.data,
                        batch=form.batch.data, deferred_until=form.deferred_until.data and
                        form.deferred_until.data.isoformat(),
                        patient_advice=form.patient_advice.data,
                        parameters=get_ruleset().parameters,
                        excluded_areas=form.excluded_areas.data or [],
                        max_depth_mm=float(form.max_depth_mm.data)
                        if form.max_depth_mm.data is not None else None)
    except decisions.DecisionError as error:
        form[error.field].errors.append(str(error))
        return show_submission(found, form, 422)
    flash(f"Decision recorded: {form.outcome.data}. " + (
        "A practitioner takes consent and countersigns next." if form.outcome.data == "approved"
        else "The sealed record is in the archive." if archived else
        "The sealed PDF could not be made yet; `flask archive retry` will finish it."))
    return redirect(url_for("review.submission", submission_id=submission_id))


@bp.route("/<submission_id>/pdf")
@role_required("doctor")
def pdf(submission_id):
    """Download the sealed consent as archived."""
    entry = archive.entry(get_db(), submission_id)
    if entry is None:
        abort(404)
    record("pdf_downloaded", submission_id)
    path = archive.newest_file(get_db(), current_app.config["ARCHIVE_DIR"], entry)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"consent-{submission_id}.pdf", max_age=0)


@bp.route("/<submission_id>/fhir")
@role_required("doctor")
def fhir_bundle(submission_id):
    """Download the archived record as a FHIR R4B Bundle (JSON)."""
    bundle = fhir_export.bundle_for(get_db(), current_app.config, submission_id)
    if bundle is None:
        abort(404)
    record("fhir_downloaded", submission_id)
    response = current_app.response_class(bundle.model_dump_json(indent=1),
                                          mimetype="application/fhir+json")
    response.headers["Content-Disposition"] = (f"attachment; "
                                               f"filename=consent-{submission_id}.fhir.json")
    return response


def init_app(app):
    """Register the review pages and the cooling-off date the staff pages show."""
    app.add_template_global(cooling_off_until)
    app.register_blueprint(bp)
