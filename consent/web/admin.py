"""Administrators manage staff accounts and reception tablets; they see no answers."""
from pathlib import Path

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, send_file,
                   url_for)

from ..db import get_db
from ..evidence import witness
from ..forms.staff import ConfirmForm, KioskForm, UserForm
from ..kernel.status import Refused
from ..staff import accounts, mfa, tablets
from ..tls import CA_CERT
from .account import setup_link
from .audit import record
from .auth import role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def page(status=200, **extra):
    """Render the administration page with fresh forms unless given."""
    db = get_db()
    extra = {"user_form": UserForm(formdata=None), "kiosk_form": KioskForm(formdata=None),
             "has_ca": (Path(current_app.instance_path) / CA_CERT).is_file(),
             "witness": witness.configured(current_app.config) and len(
                 witness.waiting(current_app.config["CHECKPOINT_DIR"])), **extra}
    return render_template("admin/index.html", users=list(db["users"].rows_where(
        select="username, full_name, registration, role, disabled, created_at, totp_confirmed_at",
        order_by="username")),
        kiosks=list(db["kiosks"].rows_where(order_by="created_at desc")), **extra), status


@bp.route("")
@role_required("admin")
def index():
    """List staff and tablets."""
    return page()


@bp.route("/users", methods=["POST"])
@role_required("admin")
def add_user():
    """Add a staff member, who sets their own password and second factor from a link."""
    form = UserForm()
    if not form.validate_on_submit():
        return page(422, user_form=form)
    username = form.username.data
    try:
        accounts.create(get_db(), username, form.role.data, full_name=form.full_name.data,
                        registration=form.registration.data or "")
    except accounts.AccountError as error:
        form.username.errors.append(str(error))
        return page(422, user_form=form)
    link = setup_link(accounts.issue_setup_link(get_db(), username))
    record("user_changed", detail=f"added {username} as {form.role.data}")
    return page(link=link, link_for=username)


def existing_user(username):
    """Return a staff account or answer 404."""
    if not accounts.exists(get_db(), username):
        abort(404)
    return username


def confirmed_other(username):
    """Check the CSRF token and that the admin is not acting on their own account."""
    if not ConfirmForm().validate_on_submit() or username == g.user["username"]:
        abort(400)
    return existing_user(username)


@bp.route("/users/<username>/<any(disable, enable):change>", methods=["POST"])
@role_required("admin")
def toggle_user(username, change):
    """Disable or re-enable an account (never one's own); disabling ends its sessions."""
    accounts.set_disabled(get_db(), confirmed_other(username), change == "disable")
    record("user_changed", detail=f"{change}d {username}")
    flash(f"{username} is {change}d." + (" Their sessions have ended." if change == "disable"
                                          else ""))
    return redirect(url_for("admin.index"))


@bp.route("/users/<username>/password", methods=["POST"])
@role_required("admin")
def reset_password(username):
    """Clear a staff member's password and issue them a new set-up link."""
    link = setup_link(accounts.issue_setup_link(get_db(), confirmed_other(username)))
    record("user_changed", detail=f"issued a password set-up link to {username}")
    return page(link=link, link_for=username)


@bp.route("/users/<username>/factor", methods=["POST"])
@role_required("admin")
def reset_factor(username):
    """Forget a staff member's second factor; they set up a new one at their next log-in."""
    mfa.reset(get_db(), confirmed_other(username))
    record("mfa_reset", detail=f"reset the second factor of {username}")
    flash(f"The second factor of {username} is reset: they set up a new one at their next "
          "log-in. Their sessions have ended.")
    return redirect(url_for("admin.index"))


@bp.route("/kiosks", methods=["POST"])
@role_required("admin")
def enrol_kiosk():
    """Issue a one-time enrolment link for a tablet."""
    form = KioskForm()
    if not form.validate_on_submit():
        return page(422, kiosk_form=form)
    try:
        link = tablets.enrolment_link(current_app.config,
                                      tablets.create(get_db(), form.name.data))
    except Refused as refused:
        form.name.errors.append(str(refused))
        return page(422, kiosk_form=form)
    record("kiosk_enrolled", detail=f"link issued for {form.name.data}")
    return page(tablet_link=link)


@bp.route("/kiosks/<kiosk_id>/revoke", methods=["POST"])
@role_required("admin")
def revoke_kiosk(kiosk_id):
    """Revoke a tablet so it no longer opens the questionnaire."""
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if not get_db()["kiosks"].count_where("id = ?", [kiosk_id]):
        abort(404)
    tablets.revoke(get_db(), kiosk_id)
    record("kiosk_revoked", detail=f"revoked tablet {kiosk_id}")
    flash("The tablet is revoked: it no longer opens the questionnaire.")
    return redirect(url_for("admin.index"))


@bp.route("/clinic-ca.pem")
@role_required("admin")
def ca_certificate():
    """Download the clinic's CA certificate, to install on tablets that use HTTPS=1."""
    path = Path(current_app.instance_path) / CA_CERT
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/x-pem-file", as_attachment=True,
                     download_name="clinic-ca.pem", max_age=0)


def init_app(app):
    """Register the administration pages."""
    app.register_blueprint(bp)
