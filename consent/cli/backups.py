"""`flask backup`, `backup-key` and `restore`: encrypted copies and getting them back."""
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..evidence.backup import BackupError, back_up, new_identity
from ..evidence.restore import restore
from ..instance import anchor


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(dest):
    """Back up database and archive, encrypted, to DEST (safe while the clinic works)."""
    try:
        manifest = back_up(current_app.config, dest)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up {manifest['consents']} archived records to {dest}, encrypted to "
               f"{manifest['encrypted_to']}")


@click.command("backup-key")
@click.argument("identity_file", type=click.Path(dir_okay=False, exists=False))
def backup_key_command(identity_file):
    """Write a new age identity to IDENTITY_FILE (keep it offline); print its public key."""
    identity, public = new_identity()
    path = Path(identity_file)
    if path.exists():
        raise click.ClickException(f"{path} exists; choose a new file")
    path.touch(mode=0o600)
    path.write_text(identity + "\n")
    click.echo(f"Keep {path} offline (it decrypts every backup). Put this in "
               f"instance/config.py:\nBACKUP_RECIPIENT = {public!r}")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@click.option("--identity", "identity_file", required=True,
              type=click.Path(exists=True, dir_okay=False),
              help="The age identity file that decrypts the backup.")
@with_appcontext
def restore_command(src, identity_file):
    """Restore a backup from SRC into this (empty) instance, with the clinic's seal key."""
    try:
        manifest, lacking = restore(current_app.config, src, identity_file)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    anchor(current_app.config)  # the restored chains, as restored, are this instance's start
    click.echo(f"Restored {manifest['consents']} archived records from {src}")
    if lacking:
        click.echo(f"Warning: this backup (written by an earlier version) lacks {len(lacking)} "
                   "timestamped revisions, which `archive verify` will report as missing; "
                   "the sealed records they extended are restored whole:\n  " + "\n  ".join(lacking), err=True)


COMMANDS = [backup_command, backup_key_command, restore_command]
