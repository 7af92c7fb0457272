"""The audit log of what staff do: append-only, hash-chained, no answer values."""
import sys

import click
from flask import g
from flask.cli import AppGroup

from . import chain, clock
from .db import get_db, immediate

ACTIONS = {"login", "login_failed", "login_throttled", "logout", "submission_viewed",
           "decision", "pdf_downloaded", "export", "kiosk_enrolled", "kiosk_revoked",
           "user_changed", "mfa_enrolled", "mfa_reset", "search", "retention_purge"}
audit_cli = AppGroup("audit", help="Check the audit log.")


def append(db, action, username=None, submission_id=None, detail=""):
    """Add an audit row; the caller holds the write lock."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return chain.append(db, "audit", {"at": clock.iso(clock.now()), "username": username,
                                      "action": action, "submission_id": submission_id,
                                      "detail": detail})


def record(action, submission_id=None, detail="", username=None):
    """Audit an action by the logged-in user in its own transaction."""
    user = username or (g.user["username"] if g.get("user") else None)
    db = get_db()
    with immediate(db):
        append(db, action, user, submission_id, detail)


@audit_cli.command("verify")
def verify_command():
    """Check the audit chain; exit 1 naming each edited or missing row."""
    found = [f"audit row {row['seq']}: {problem}" for row, problem in
             chain.problems(get_db(), "audit")]
    for line in found:
        click.echo(line)
    click.echo(f"{get_db()['audit'].count} audit rows, {len(found)} problems", err=True)
    sys.exit(1 if found else 0)


def init_app(app):
    """Register the audit CLI."""
    app.cli.add_command(audit_cli)
