"""Doctors read the reactions patients report, urgent ones and shared batches first."""
from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, url_for

from ..db import get_db
from ..forms.staff import ConfirmForm
from ..visits import reactions
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


def signs():
    """Return the clinic's reaction signs, loaded at start-up."""
    return current_app.extensions["consent.reaction_signs"]


def unseen_reactions():
    """Template global: reports no doctor has seen yet (count, urgent), for every staff page."""
    return reactions.unseen(get_db()) if g.get("user") else None


def init_app(app):
    """Load the clinic's reaction signs (a broken file stops the start) and the pages."""
    app.extensions["consent.reaction_signs"] = reactions.load_signs(
        app.config["REACTION_SIGNS_FILE"])
    app.add_template_global(unseen_reactions)
    app.register_blueprint(bp)
