"""`flask witness`: send the checkpoint lines to the off-host witness, and say how far it is."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..evidence import witness
from .base import repeat

witness_cli = AppGroup("witness", help="The off-host witness of the checkpoint log.")


def require_witness():
    """Stop with a clear message when no witness is configured."""
    if not witness.configured(current_app.config):
        raise click.ClickException("No witness: set WITNESS_BUCKET (docs/operations.md, "
                                   "\"The off-host witness\")")


@witness_cli.command("send")
@click.option("--every", type=int, default=0,
              help="Keep running, sending every N seconds (0: send once and stop).")
@click.option("--if-configured", is_flag=True,
              help="Stop quietly when no witness is set (how `make run` starts it).")
def send_command(every, if_configured):
    """Send the queued checkpoint lines; a witness that is down keeps them queued."""
    if if_configured and not witness.configured(current_app.config):
        return
    require_witness()
    def step():
        sent, left = witness.send(current_app.config, current_app.config["CHECKPOINT_DIR"])
        return sent or left, f"{sent} sent, {left} waiting"
    repeat(every, step)


@witness_cli.command("status")
def status_command():
    """Say how many lines wait for the witness and which is the newest it holds."""
    require_witness()
    waiting = len(witness.waiting(current_app.config["CHECKPOINT_DIR"]))
    _, line, _ = witness.newest(current_app.config)
    held = f"checkpoint {line['n']} of {line['at']}" if line else "nothing yet"
    click.echo(f"{waiting} lines waiting; the witness holds {held}")


COMMANDS = (witness_cli,)
