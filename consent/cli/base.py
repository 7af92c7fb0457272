"""What the commands share: the clinic's today and auditing what the command line does."""
import time

import click
from flask import current_app

from ..db import get_db
from ..kernel import audit, clock
from ..kernel.storage import immediate

# Printed links must open: a guessed address (the shipped 127.0.0.1:5000) is refused.
NO_ADDRESS = ("No address for links: set PUBLIC_URL in instance/config.py to where tablets and "
              "patients reach this server (for example PUBLIC_URL = "
              "'https://consent.clinic.example'), or start the server once with `make run`, "
              "which records the address it serves on.")


def repeat(every, step):
    """Run step once, or every N seconds until stopped; print what it says when it did work.

    step returns (did work, the line to print).
    """
    while True:
        worked, said = step()
        if worked or not every:
            click.echo(said, err=True)
        if not every:
            return
        time.sleep(every)


def require_address():
    """Stop with NO_ADDRESS unless this instance knows where its links point."""
    if not current_app.config["PUBLIC_URL_KNOWN"]:
        raise click.ClickException(NO_ADDRESS)


def today():
    """Return today's date in the clinic's time zone."""
    return clock.today(current_app.config["CLINIC_TIMEZONE"])


def audited(action, detail=""):
    """Audit an action done from the command line."""
    db = get_db()
    with immediate(db):
        audit.append(db, action, "cli", None, detail)
