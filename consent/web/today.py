"""Practitioners (and doctors) see the day's patients and what each is waiting for."""
from flask import Blueprint, render_template

from ..db import get_db
from ..forms.validators import clinic_today
from ..review import queue
from .auth import role_required

bp = Blueprint("today", __name__, url_prefix="/today")


@bp.route("")
@role_required("practitioner")
def index():
    """List today's patients, those waiting for a doctor first."""
    day = clinic_today()
    return render_template("today/index.html", day=day, rows=queue.today(get_db(), day))


def init_app(app):
    """Register the Today page."""
    app.register_blueprint(bp)
