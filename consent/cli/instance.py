"""`flask init`: create or update the instance folder."""
import click
from flask import current_app
from flask.cli import with_appcontext

from ..instance import initialise


@click.command("init")
@with_appcontext
def init_command():
    """Create or update the instance folder (config, database, keys, archive)."""
    for line in initialise(current_app):
        click.echo(line)
    click.echo(f"Instance ready at {current_app.instance_path}")


COMMANDS = [init_command]
