"""`flask init`: create or update the instance folder."""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from .. import SERVED_ADDRESS
from ..instance import initialise
from .. import keys


@click.command("init")
@click.option("--csr", "csr_file", type=click.Path(dir_okay=False),
              help="Also write a certificate signing request for the seal key to this file.")
@with_appcontext
def init_command(csr_file):
    """Create or update the instance folder (config, database, keys, archive)."""
    if served := os.environ.get("CONSENT_PUBLIC_URL"):  # from `make run`: HOST, PORT, HTTPS
        (Path(current_app.instance_path) / SERVED_ADDRESS).write_text(served + "\n")
    for line in initialise(current_app):
        click.echo(line)
    if csr_file:
        Path(csr_file).write_bytes(keys.signing_request(keys.from_config(current_app.config),
                                                   current_app.config["CLINIC_NAME"]))
        click.echo(f"Wrote a signing request for the seal key to {csr_file}: a trusted "
                   f"provider's certificate for it goes in the seal folder as cert.pem")
    click.echo(f"Instance ready at {current_app.instance_path}")


COMMANDS = [init_command]
