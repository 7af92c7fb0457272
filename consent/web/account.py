"""Staff manage their own password, and open their account through a set-up link."""
from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, url_for

from ..db import get_db
from ..forms.staff import LinkForm, PasswordChangeForm, SetupForm
from ..kernel.tokens import public_link
from ..staff import accounts
from .audit import record

bp = Blueprint("account", __name__, url_prefix="/account")


def setup_link(token):
    """Return the one-time link a new or reset staff member opens to set a password."""
    return public_link(current_app.config, "/account/setup", token)


@bp.route("/password", methods=["GET", "POST"])
def change_password():
    """Change one's own password (the current one is required); every session ends."""
    if g.user is None:
        return redirect(url_for("auth.login"))
    form = PasswordChangeForm()
    page = dict(form=form, heading="Change your password",
                action=url_for("account.change_password"))
    if not form.validate_on_submit():
        return render_template("auth/password.html", **page), 422 if form.errors else 200
    try:
        accounts.change_password(get_db(), g.user["username"], form.current.data,
                                 form.password.data)
    except accounts.AccountError as error:
        form.current.errors.append(str(error))
        return render_template("auth/password.html", **page), 422
    record("user_changed", detail=f"{g.user['username']} changed their password")
    g.session_ended = True
    flash("Your password was changed. Please log in again with the new one.")
    return redirect(url_for("auth.login"))


@bp.route("/setup", methods=["GET", "POST"])
def setup():
    """Set a first (or reset) password from a one-time link the administrator issued."""
    form = SetupForm()
    page = dict(form=form, heading="Set your password", action=url_for("account.setup"),
                status_url=url_for("account.setup_status"))
    if not form.validate_on_submit():
        return render_template("auth/password.html", **page), 422 if form.errors else 200
    try:
        username = accounts.use_setup_link(get_db(), form.token.data, form.password.data)
    except accounts.AccountError as error:
        invalid = "link" in str(error)
        (form.password if not invalid else form.token).errors.append(str(error))
        return render_template("auth/password.html", invalid=invalid, **page), \
            410 if invalid else 422
    record("user_changed", detail=f"{username} set their password", username=username)
    flash("Your password is set. Log in to set up your second factor.")
    return redirect(url_for("auth.login"))


@bp.route("/setup/status", methods=["POST"])
def setup_status():
    """Tell the set-up page at once whether its link still works."""
    form = LinkForm()
    return jsonify(valid=form.validate_on_submit() and
                   accounts.setup_user(get_db(), form.token.data) is not None)


def init_app(app):
    """Register the account pages."""
    app.register_blueprint(bp)
