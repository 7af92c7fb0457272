"""Staff log-in with server-side sessions, role checks, and the users CLI."""
import functools
import hashlib
import secrets
import sys
from datetime import datetime, timedelta

import click
from flask import (Blueprint, abort, current_app, g, redirect, render_template, request,
                   session, url_for)
from flask.cli import AppGroup

from . import accounts, audit, clock
from .db import get_db, immediate
from .forms.staff import ConfirmForm, LoginForm

COOKIE = "consent_session"
HOME = {"doctor": "review.queue", "admin": "admin.index"}
bp = Blueprint("auth", __name__)
users_cli = AppGroup("users", help="Manage staff accounts.")


def token_hash(token):
    """Store only a hash of a cookie token, so a database copy grants no access."""
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(db, username):
    """Create a server-side session and return its cookie token."""
    token, now = secrets.token_urlsafe(32), clock.iso(clock.now())
    db["sessions"].insert({"token_hash": token_hash(token), "username": username,
                           "created_at": now, "last_seen": now})
    return token


def session_user(db, token, config):
    """Return the user of a live session, ending it if it has timed out."""
    rows = list(db["sessions"].rows_where("token_hash = ? and ended_at is null",
                                          [token_hash(token)]))
    if not rows:
        return None
    row, now = rows[0], clock.now()
    idle = now - datetime.fromisoformat(row["last_seen"])
    age = now - datetime.fromisoformat(row["created_at"])
    user = db["users"].get(row["username"])
    if (idle > timedelta(minutes=config["SESSION_IDLE_MINUTES"]) or user["disabled"]
            or age > timedelta(hours=config["SESSION_MAX_HOURS"])):
        db["sessions"].update(row["token_hash"], {"ended_at": clock.iso(now)})
        return None
    db["sessions"].update(row["token_hash"], {"last_seen": clock.iso(now)})
    return user


def load_user():
    """Attach the logged-in staff member, if any, to g."""
    token = request.cookies.get(COOKIE)
    g.user = None
    if token and request.endpoint != "static":
        g.user = session_user(get_db(), token, current_app.config)


def role_required(role):
    """Let a view through only for a logged-in user with this role."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(**kwargs):
            if g.user is None:
                return redirect(url_for("auth.login"))
            if g.user["role"] != role:
                abort(403)
            return view(**kwargs)
        return wrapped
    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log a doctor or administrator in; same answer for unknown users and bad passwords."""
    form, db = LoginForm(), get_db()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    try:
        user = accounts.authenticate(db, form.username.data, form.password.data,
                                     request.remote_addr or "", current_app.config)
    except accounts.Throttled:
        audit.record("login_failed", detail="throttled", username=form.username.data)
        return render_template("auth/login.html", form=form, throttled=True), 429
    if user is None:
        audit.record("login_failed", username=form.username.data)
        return render_template("auth/login.html", form=form, failed=True), 401
    session.clear()  # a new CSRF secret with the new identity
    with immediate(db):
        token = start_session(db, user["username"])
        audit.append(db, "login", user["username"])
    response = redirect(url_for(HOME[user["role"]]))
    response.set_cookie(COOKIE, token, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response


@bp.route("/logout", methods=["POST"])
def logout():
    """End the server-side session so the cookie is worthless from now on."""
    if ConfirmForm().validate_on_submit() and g.user:
        db = get_db()
        with immediate(db):
            db["sessions"].update(token_hash(request.cookies[COOKIE]),
                                  {"ended_at": clock.iso(clock.now())})
            audit.append(db, "logout", g.user["username"])
    response = redirect(url_for("auth.login"))
    response.delete_cookie(COOKIE)
    return response


@users_cli.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_user_command(username, role, password_stdin):
    """Add a staff account (there is no default account)."""
    password = (sys.stdin.readline().rstrip("\n") if password_stdin else
                click.prompt("Password", hide_input=True, confirmation_prompt=True))
    try:
        accounts.create(get_db(), username, role, password)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    audit.record("user_changed", detail=f"added {username} as {role}", username="cli")
    click.echo(f"Added {role} {username}")


def init_app(app):
    """Register log-in pages, the identity loader and the users CLI."""
    app.register_blueprint(bp)
    app.before_request(load_user)
    app.cli.add_command(users_cli)
