"""The patient's questionnaire at reception."""
from flask import Blueprint, current_app, jsonify, render_template
from flask_babel import gettext

from .. import workflow
from ..db import get_db
from ..forms import AnswersForm, QuestionnaireForm, encode_form
from ..forms.validators import clinic_today
from ..intake.questionnaire import SECTIONS
from ..intake.rules import evaluate
from .languages import choosing_language, page_language, thanked
from .rules import get_ruleset
from .tablet import kiosk_required

bp = Blueprint("intake", __name__)


@bp.route("/", methods=["GET", "POST"])
@kiosk_required
def questionnaire():
    """Show the questionnaire; store it when every answer is valid."""
    if choosing_language():
        return show(QuestionnaireForm(formdata=None))
    form = QuestionnaireForm()
    if form.validate_on_submit():
        workflow.submit(get_db(), get_ruleset(), encode_form(form), form.signature.png,
                        clinic_today(), typed=form.signature_typed.data,
                        guardian=form.guardian(), phone=current_app.config["CLINIC_PHONE"],
                        language=page_language().code)
        return thanked("intake.thanks")
    return show(form)


def show(form, **page):
    """Render the questionnaire: 422 when answers need correcting."""
    return render_template("intake/questionnaire.html", form=form, sections=SECTIONS,
                           **page), 422 if form.errors else 200


def for_you(treatment_date):
    """Return, as JSON, the lines the answers given so far mean for the patient."""
    form = AnswersForm()
    form.treatment_date = treatment_date
    lines = []
    if form.validate():  # answers still wrong say nothing yet; the sealed record is the truth
        # No clinic history: the tablet must never reveal anything about anyone else.
        evaluation = evaluate(get_ruleset(), encode_form(form), treatment_date)
        lines = [gettext(flag.aftercare) for flag in evaluation.flags if flag.aftercare]
    return jsonify(lines=lines)


@bp.route("/for-you", methods=["POST"])
@kiosk_required
def what_this_means():
    """Tell the patient, before they sign, what their answers mean for them."""
    return for_you(clinic_today())


@bp.route("/thanks")
@kiosk_required
def thanks():
    """Thank the patient without showing any answer, in the language they answered in."""
    return render_template("intake/thanks.html")


def init_app(app):
    """Register the intake pages."""
    app.register_blueprint(bp)
