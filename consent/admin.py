"""Administrators manage staff accounts and reception tablets; they see no answers."""
from flask import Blueprint, abort, g, redirect, render_template, url_for

from . import accounts, audit, kiosks
from .auth import role_required
from .db import get_db
from .forms.staff import ConfirmForm, KioskForm, PasswordForm, UserForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


def page(status=200, **forms):
    """Render the administration page with fresh forms unless given."""
    db = get_db()
    forms = {"user_form": UserForm(formdata=None), "kiosk_form": KioskForm(formdata=None),
             "password_form": PasswordForm(formdata=None), **forms}
    return render_template("admin/index.html", users=list(db["users"].rows_where(
        select="username, role, disabled, created_at", order_by="username")),
        kiosks=list(db["kiosks"].rows_where(order_by="created_at desc")), **forms), status


@bp.route("")
@role_required("admin")
def index():
    """List staff and tablets."""
    return page()


@bp.route("/users", methods=["POST"])
@role_required("admin")
def add_user():
    """Add a doctor or administrator."""
    form = UserForm()
    if form.validate_on_submit():
        try:
            accounts.create(get_db(), form.username.data, form.role.data, form.password.data)
        except ValueError as error:
            form.username.errors.append(str(error))
            return page(422, user_form=form)
        audit.record("user_changed", detail=f"added {form.username.data} as {form.role.data}")
        return redirect(url_for("admin.index"))
    return page(422, user_form=form)


def existing_user(username):
    """Return a staff account or answer 404."""
    if not get_db()["users"].count_where("username = ?", [username]):
        abort(404)
    return username


@bp.route("/users/<username>/<any(disable, enable):change>", methods=["POST"])
@role_required("admin")
def toggle_user(username, change):
    """Disable or re-enable an account (never one's own)."""
    if not ConfirmForm().validate_on_submit() or username == g.user["username"]:
        abort(400)
    accounts.set_disabled(get_db(), existing_user(username), change == "disable")
    audit.record("user_changed", detail=f"{change}d {username}")
    return redirect(url_for("admin.index"))


@bp.route("/users/<username>/password", methods=["POST"])
@role_required("admin")
def reset_password(username):
    """Set a new password for a staff member."""
    form = PasswordForm()
    if not form.validate_on_submit():
        return page(422, password_form=form)
    accounts.set_password(get_db(), existing_user(username), form.password.data)
    audit.record("user_changed", detail=f"reset password of {username}")
    return redirect(url_for("admin.index"))


@bp.route("/kiosks", methods=["POST"])
@role_required("admin")
def enrol_kiosk():
    """Issue a one-time enrolment link for a tablet."""
    form = KioskForm()
    if not form.validate_on_submit():
        return page(422, kiosk_form=form)
    link = kiosks.enrolment_link(kiosks.create(get_db(), form.name.data))
    audit.record("kiosk_enrolled", detail=f"link issued for {form.name.data}")
    return page(link=link)


@bp.route("/kiosks/<kiosk_id>/revoke", methods=["POST"])
@role_required("admin")
def revoke_kiosk(kiosk_id):
    """Revoke a tablet so it no longer opens the questionnaire."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not get_db()["kiosks"].count_where("id = ?", [kiosk_id]):
        abort(404)
    kiosks.revoke(get_db(), kiosk_id)
    audit.record("kiosk_revoked", detail=f"revoked tablet {kiosk_id}")
    return redirect(url_for("admin.index"))


def init_app(app):
    """Register the administration pages."""
    app.register_blueprint(bp)
