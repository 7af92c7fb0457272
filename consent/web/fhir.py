"""The questionnaire as a FHIR SDC Questionnaire, for other systems to render or analyse."""
import json

from flask import Blueprint, Response, abort, g, redirect, url_for

from ..evidence.fhir_questionnaire import sdc_questionnaire
from ..intake.questionnaire import EDITION

bp = Blueprint("fhir", __name__, url_prefix="/fhir")


@bp.route("/Questionnaire/<edition>")
def questionnaire(edition):
    """Serve an edition of the questionnaire to staff (only the edition in force)."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    if edition != EDITION:  # a record of an older one carries its own, sealed inside its PDF
        abort(404)
    return Response(json.dumps(sdc_questionnaire(), indent=1, ensure_ascii=False),
                    mimetype="application/fhir+json")


def init_app(app):
    """Register the FHIR views."""
    app.register_blueprint(bp)
