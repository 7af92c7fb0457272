"""`flask users` and `flask kiosk`: staff accounts and tablets from the command line."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import get_db
from ..kernel.status import Refused
from ..staff import accounts, mfa, tablets
from .base import audited, require_address

users_cli = AppGroup("users", help="Manage staff accounts.")
kiosk_cli = AppGroup("kiosk", help="Enrol reception tablets.")


def read_password(from_stdin):
    """Read a new password from standard input or an interactive prompt."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def existing(username):
    """Return the username of an existing account, or stop with a clear message."""
    if not accounts.exists(get_db(), username):
        raise click.ClickException(f"there is no user {username}")
    return username


@users_cli.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(accounts.ROLES), required=True)
@click.option("--name", "full_name", default="", help="Full name, as printed on records.")
@click.option("--registration", default="", help="Professional registration, e.g. GMC 1234567.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def add_user_command(username, role, full_name, registration, password_stdin):
    """Add a staff account and print its authenticator (otpauth://) URI."""
    try:
        accounts.create(get_db(), username, role, read_password(password_stdin), full_name,
                        registration)
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    audited("user_changed", f"added {username} as {role}")
    secret = mfa.provision(get_db(), username)
    click.echo(f"Added {role} {username}")
    click.echo(mfa.provisioning_uri(secret, username, current_app.config["CLINIC_NAME"]))


@users_cli.command("set-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def set_password_command(username, password_stdin):
    """Set a staff member's password; all their sessions end."""
    try:
        accounts.set_password(get_db(), existing(username), read_password(password_stdin))
    except accounts.AccountError as error:
        raise click.ClickException(str(error)) from None
    audited("user_changed", f"set the password of {username}")
    click.echo(f"Password of {username} set; their sessions have ended")


@users_cli.command("reset-factor")
@click.argument("username")
def reset_factor_command(username):
    """Forget a staff member's second factor; they set up a new one at next log-in."""
    mfa.reset(get_db(), existing(username))
    audited("mfa_reset", f"reset the second factor of {username}")
    click.echo(f"Second factor of {username} reset; their sessions have ended")


@kiosk_cli.command("enrol")
@click.argument("name")
def enrol_command(name):
    """Register a tablet and print its one-time enrolment link (valid 24 hours)."""
    require_address()
    try:
        token = tablets.create(get_db(), name)
    except Refused as refused:
        raise click.ClickException(str(refused)) from None
    audited("kiosk_enrolled", f"link issued for {name}")
    click.echo(tablets.enrolment_link(current_app.config, token))


kiosk_cli.add_command(enrol_command, "enroll")  # the spelling earlier versions documented
COMMANDS = [users_cli, kiosk_cli]
