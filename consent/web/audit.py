"""Audit what the logged-in staff member does, in its own transaction."""
from flask import g

from ..db import get_db
from ..kernel import audit
from ..kernel.storage import immediate


def record(action, submission_id=None, detail="", username=None):
    """Audit an action by the logged-in user (or the name given)."""
    user = username or (g.user["username"] if g.get("user") else None)
    db = get_db()
    with immediate(db):
        audit.append(db, action, user, submission_id, detail)
