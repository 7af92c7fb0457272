"""What the commands share: the clinic's today and auditing what the command line does."""
from flask import current_app

from .. import audit, clock
from ..db import get_db
from ..storage import immediate


def today():
    """Return today's date in the clinic's time zone."""
    return clock.today(current_app.config["CLINIC_TIMEZONE"])


def audited(action, detail=""):
    """Audit an action done from the command line."""
    db = get_db()
    with immediate(db):
        audit.append(db, action, "cli", None, detail)
