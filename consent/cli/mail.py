"""`flask outbox`: send the patients' messages waiting in the outbox."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..db import get_db
from ..visits import outbox
from .base import repeat, require_address

outbox_cli = AppGroup("outbox", help="Send the patients' e-mail waiting in the outbox.")


@outbox_cli.command("send")
@click.option("--every", type=int, default=0,
              help="Keep running, sending every N seconds (0: send once and stop).")
def send(every):
    """Send every message that is due; failures wait longer each time, none is dropped."""
    require_address()  # every message is a link

    def step():
        sent, failed = outbox.send_due(get_db(), current_app.config)
        return sent or failed, f"{sent} sent, {failed} to retry"
    repeat(every, step)


@outbox_cli.command("status")
def status():
    """Say how many messages wait and how old the oldest is."""
    count, minutes = outbox.waiting(get_db())
    click.echo(f"{count} waiting; the oldest for {minutes} minutes")


COMMANDS = (outbox_cli,)
