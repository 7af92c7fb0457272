"""Doctors read the reactions patients report, urgent ones and shared batches first."""
from flask import Blueprint, abort, flash, g, redirect, render_template, url_for

from .. import reactions
from ..db import get_db
from ..forms.staff import ConfirmForm
from .audit import record
from .auth import role_required

bp = Blueprint("reactions", __name__, url_prefix="/review/reactions")


@bp.route("")
@role_required("doctor")
def index():
    """List reports: unseen and urgent first; batches named in two or more highlighted."""
    rows, alerts = reactions.queue(get_db())
    return render_template("review/reactions.html", rows=rows, alerts=alerts,
                           form=ConfirmForm())


@bp.route("/<int:reaction_id>/seen", methods=["POST"])
@role_required("doctor")
def seen(reaction_id):
    """Mark a report as read by this doctor."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not reactions.seen(get_db(), reaction_id, g.user["username"]):
        abort(404)
    record("reaction_seen", detail=f"reaction report {reaction_id}")
    flash("Marked as seen.")
    return redirect(url_for("reactions.index"))


@bp.route("/<int:reaction_id>/photo")
@role_required("doctor")
def photo(reaction_id):
    """Show a report's photo (re-encoded when it arrived)."""
    data = reactions.photo(get_db(), reaction_id)
    if not data:
        abort(404)
    return data, 200, {"Content-Type": "image/jpeg", "Cache-Control": "no-store"}


def init_app(app):
    """Register the reaction reports page."""
    app.register_blueprint(bp)
