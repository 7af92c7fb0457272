"""`flask fhir`: the records as FHIR R4B bundles, for a GP, a hospital or a regulator."""
import click
from flask import current_app
from flask.cli import AppGroup

from ..db import get_db
from ..evidence import fhir_export
from .base import audited

fhir_cli = AppGroup("fhir", help="Export records as FHIR R4B bundles.")


@fhir_cli.command("export")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.argument("dest", type=click.Path(file_okay=False))
def export_command(since, dest):
    """Write a FHIR Bundle per archived record treated since a date, with a manifest."""
    count = fhir_export.export(get_db(), current_app.config, since.date(), dest)
    audited("fhir_export", f"{count} records treated since {since.date()}")
    click.echo(f"Exported {count} FHIR bundles to {dest}")


COMMANDS = [fhir_cli]
