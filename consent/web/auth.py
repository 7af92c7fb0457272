"""Staff log-in in two steps (password, then second factor), log-out and role checks."""
import functools

from flask import (Blueprint, abort, current_app, flash, g, make_response, redirect,
                   render_template, request, session, url_for)

from ..db import get_db
from ..forms.staff import CodeForm, ConfirmForm, LoginForm
from ..staff import accounts, mfa, sessions, throttle
from .audit import record

HOME = {"doctor": "review.queue", "practitioner": "today.index", "admin": "admin.index",
        "doctor_admin": "review.queue", "reception": "reception.index"}
CLEAR_SITE_DATA = '"cache", "storage"'  # not "cookies": it would un-enrol a reception tablet
bp = Blueprint("auth", __name__)


def load_user():
    """Attach the logged-in staff member (g.user) or a half-logged-in one (g.pending)."""
    token = request.cookies.get(current_app.config["STAFF_COOKIE"])
    g.user = g.pending = None
    g.session_ended = False
    if token and request.endpoint != "static":
        found = sessions.lookup(get_db(), token, current_app.config)
        g.session_ended = found is None
        user, stage = found or (None, None)
        g.user, g.pending = (user, None) if stage == "full" else (None, user)


def forget_browser(response):
    """After log-out or a time-out: drop the cookie and what the browser kept of the pages."""
    if g.get("session_ended"):
        response.headers["Clear-Site-Data"] = CLEAR_SITE_DATA
        response.delete_cookie(current_app.config["STAFF_COOKIE"], secure=request.is_secure)
    return response


def role_required(role):
    """Let a view through only for a fully logged-in user with this role."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if g.user is None:
                return redirect(url_for("auth.login"))
            if not accounts.may(g.user["role"], role):
                abort(403)
            return view(**kwargs)
        return wrapped
    return decorate


def signed_in(response, token):
    """Set the staff cookie on a response."""
    g.session_ended = False  # an old, timed-out cookie is replaced, not cleared
    response = make_response(response)
    response.set_cookie(current_app.config["STAFF_COOKIE"], token, httponly=True,
                        samesite="Lax", secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


def next_step(user):
    """Return where a user goes once the password was right."""
    if not current_app.config["STAFF_MFA"]:
        return HOME[user["role"]]
    return "auth.second_factor" if mfa.enrolled(user) else "auth.enrol_factor"


def refuse(db, form, username):
    """Answer a failed log-in; audit one row per account (or for all unknown ones) a window."""
    # Anyone can fail a log-in from anywhere: the write-once audit log must not grow with it.
    known = accounts.exists(db, username)
    if throttle.notice_due(db, f"failed:{username}" if known else "failed:?",
                           current_app.config):
        record("login_failed", username=username if known else None,
               detail="first failure of this window" if known else
               "unknown account (first of this window)")
    return render_template("auth/login.html", form=form, failed=True), 401


def throttled(db, form, wait):
    """Answer an attempt that must wait, auditing the first of each window."""
    if throttle.notice_due(db, "throttled", current_app.config):
        record("login_throttled", detail="too many failures from one address")
    return render_template("auth/login.html", form=form, throttled=True,
                           wait=wait.spoken), 429


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Check the password; same answer for unknown users, bad passwords and locked accounts."""
    form, db, address = LoginForm(), get_db(), request.remote_addr or ""
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    try:
        user, failures = accounts.authenticate(db, form.username.data, form.password.data,
                                               address, current_app.config)
    except throttle.Throttled as wait:
        return throttled(db, form, wait)
    if user is None:
        return refuse(db, form, form.username.data)
    session.clear()  # a new CSRF secret with the new identity
    step = next_step(user)
    if failures:  # told only now, to the owner who got the password right
        flash(f"There were {failures} failed log-in attempts on your account since you "
              "last logged in. If that was not you, tell the clinic's administrator.")
    token = sessions.start(db, user["username"], "full" if step in HOME.values() else "password")
    if step in HOME.values():
        record("login", username=user["username"])
    return signed_in(redirect(url_for(step)), token)


def finish_login(user):
    """Promote the session after the second factor and go home."""
    db = get_db()
    token = sessions.promote(db, request.cookies[current_app.config["STAFF_COOKIE"]])
    record("login", username=user["username"])
    return token


@bp.route("/login/code", methods=["GET", "POST"])
def second_factor():
    """Ask for the authenticator code (or a recovery code) after the password."""
    user, form, db = g.pending, CodeForm(), get_db()
    if user is None or not mfa.enrolled(user):
        return redirect(url_for("auth.login"))
    if not form.validate_on_submit():
        return render_template("auth/code.html", form=form)
    try:
        throttle.check(db, user["username"], request.remote_addr or "", current_app.config)
    except throttle.Throttled as wait:
        form.code.errors.append(f"Too many wrong codes: wait {wait.spoken}, then "
                                "try again.")
        return render_template("auth/code.html", form=form), 429
    if not mfa.accept_code(db, user["username"], form.code.data):
        throttle.record_failure(db, user["username"], request.remote_addr or "")
        record("login_failed", username=user["username"], detail="wrong code")
        form.code.errors.append("This code is not right, or was already used. "
                                "Wait for the next one and try again.")
        return render_template("auth/code.html", form=form), 401
    return signed_in(redirect(url_for(HOME[user["role"]])), finish_login(user))


@bp.route("/login/enrol", methods=["GET", "POST"])
def enrol_factor():
    """Set up the authenticator app on first log-in, then show the recovery codes once."""
    user, form, db = g.pending, CodeForm(), get_db()
    if user is None or mfa.enrolled(user):
        return redirect(url_for("auth.login"))
    secret = mfa.provision(db, user["username"])
    uri = mfa.provisioning_uri(secret, user["username"], current_app.config["CLINIC_NAME"])
    page = functools.partial(render_template, "auth/enrol.html", form=form, secret=secret,
                             qr=mfa.qr_data_uri(uri))
    if not form.validate_on_submit():
        return page()
    codes = mfa.confirm(db, user["username"], form.code.data)
    if codes is None:
        throttle.record_failure(db, user["username"], request.remote_addr or "")
        form.code.errors.append("This code is not right. Check the app shows this account "
                                "and type the code it shows now.")
        return page(), 401
    record("mfa_enrolled", username=user["username"])
    token = finish_login(user)
    return signed_in(render_template("auth/recovery.html", codes=codes,
                                     home=url_for(HOME[user["role"]])), token)


@bp.route("/logout", methods=["POST"])
def logout():
    """End the server-side session so the cookie is worthless from now on."""
    token = request.cookies.get(current_app.config["STAFF_COOKIE"])
    if ConfirmForm().validate_on_submit() and token and (g.user or g.pending):
        sessions.end(get_db(), token)
        record("logout", username=(g.user or g.pending)["username"])
    g.session_ended = True
    session.clear()
    flash("You are logged out.")
    return redirect(url_for("auth.login"))


def init_app(app):
    """Register log-in pages and the identity loader."""
    app.register_blueprint(bp)
    app.before_request(load_user)
    app.after_request(forget_browser)
