"""The patient's questionnaire at reception."""
from flask import Blueprint, current_app, redirect, render_template, url_for

from .. import workflow
from ..db import get_db
from ..forms import QuestionnaireForm, encode_form
from ..forms.validators import clinic_today
from ..intake.questionnaire import SECTIONS
from .rules import get_ruleset
from .tablet import kiosk_required

bp = Blueprint("intake", __name__)


@bp.route("/", methods=["GET", "POST"])
@kiosk_required
def questionnaire():
    """Show the questionnaire; store it when every answer is valid."""
    form = QuestionnaireForm()
    if form.validate_on_submit():
        workflow.submit(get_db(), get_ruleset(), encode_form(form), form.signature.png,
                        clinic_today(), typed=form.signature_typed.data,
                        guardian=form.guardian(), phone=current_app.config["CLINIC_PHONE"])
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
