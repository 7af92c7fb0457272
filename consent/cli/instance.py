"""`flask init`: create or update the instance folder."""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from ..evidence.seal import keys, softhsm
from ..instance import PLACEHOLDERS, SERVED_ADDRESS, Unnamed, initialise, reissue
from ..kernel import clock
from .base import audited

NO_NAME = ("Set the clinic's name first: it goes into the seal certificate, the HTTPS "
           "certificate and every staff authenticator entry, made now. Run `make run "
           "CLINIC_NAME=\"Harbour Skin Clinic\"` (or `flask --app consent init --clinic-name "
           "\"Harbour Skin Clinic\"`), or set CLINIC_NAME in instance/config.py.")


@click.command("init")
@click.option("--csr", "csr_file", type=click.Path(dir_okay=False),
              help="Also write a certificate signing request for the seal key to this file.")
@click.option("--clinic-name", help="The clinic's name: written to instance/config.py.")
@with_appcontext
def init_command(csr_file, clinic_name):
    """Create or update the instance folder (config, database, keys, archive)."""
    folder = current_app.instance_path
    if served := os.environ.get("CONSENT_PUBLIC_URL"):  # from `make run`: HOST, PORT, HTTPS
        Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
        (Path(folder) / SERVED_ADDRESS).write_text(served + "\n")
    try:
        done = initialise(current_app, (clinic_name or "").strip() or None, require_name=True)
    except Unnamed:
        raise click.ClickException(NO_NAME) from None
    except softhsm.NotInstalled as missing:
        raise click.ClickException(str(missing)) from None
    for line in done:
        click.echo(line)
    if csr_file:
        Path(csr_file).write_bytes(keys.signing_request(keys.from_config(current_app.config),
                                                   current_app.config["CLINIC_NAME"]))
        click.echo(f"Wrote a signing request for the seal key to {csr_file}: a trusted "
                   f"provider's certificate for it goes in the seal folder as cert.pem")
    click.echo(f"Instance ready at {current_app.instance_path}")


@click.command("reissue")
@click.option("--pkcs11-label", help="With the key in a token: the label of the new key.")
@with_appcontext
def reissue_command(pkcs11_label):
    """Make a new seal key and HTTPS CA under CLINIC_NAME; old seals still verify."""
    config = current_app.config
    if config["CLINIC_NAME"] == PLACEHOLDERS["CLINIC_NAME"]:
        raise click.ClickException(NO_NAME)
    stamp = f"{clock.now():%Y%m%dT%H%M%S}"
    try:
        seal = reissue(config, current_app.instance_path, stamp, pkcs11_label)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    audited("certificates_reissued", f"seal and HTTPS certificates for {config['CLINIC_NAME']}")
    click.echo(f"New seal key and certificate for {config['CLINIC_NAME']!r}; the old "
               f"certificate is kept in {Path(seal.certificate).parent / 'retired'} so that "
               "everything it sealed still verifies.")
    if pkcs11_label:
        click.echo(f"Set SEAL_PKCS11_KEY = {pkcs11_label!r} in instance/config.py.")
    click.echo("New HTTPS CA and server certificate: install the CA (from /admin) on every "
               "tablet again. Restart the service; staff who want the new name in their "
               "authenticator app can be given `users reset-factor`.")


certificates_cli = AppGroup("certificates", help="The clinic's seal and HTTPS certificates.")
certificates_cli.add_command(reissue_command)
COMMANDS = [init_command, certificates_cli]
