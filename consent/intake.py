"""The patient's questionnaire at reception."""
from flask import Blueprint, current_app, redirect, render_template, url_for

from . import submissions
from .db import get_db
from .forms import QuestionnaireForm, encode_form
from .forms.validators import clinic_today
from .kiosks import kiosk_required
from .questionnaire import SECTIONS
from .records import finalise_submission
from .rules import get_ruleset

bp = Blueprint("intake", __name__)


@bp.route("/", methods=["GET", "POST"])
@kiosk_required
def questionnaire():
    """Show the questionnaire; store it when every answer is valid."""
    form = QuestionnaireForm()
    if form.validate_on_submit():
        row = submissions.submit(get_db(), get_ruleset(), encode_form(form), form.signature.png,
                                 clinic_today())
        if row["status"] == "cleared":
            try:
                finalise_submission(row["id"])
            except Exception:  # noqa: BLE001 - the answers are committed whatever failed here
                # `flask archive retry` finishes the PDF later; say so rather than "not saved".
                current_app.logger.exception("Archiving failed for submission %s", row["id"])
                return render_template("intake/thanks.html", archive_failed=True), 503
        return redirect(url_for("intake.thanks"))
    status = 422 if form.errors else 200
    return render_template("intake/questionnaire.html", form=form, sections=SECTIONS), status


@bp.route("/thanks")
@kiosk_required
def thanks():
    """Thank the patient without showing any answer."""
    return render_template("intake/thanks.html")


def init_app(app):
    """Register the intake pages."""
    app.register_blueprint(bp)
