"""`flask treatments`: check the clinic's treatment catalogue."""
import click
from flask.cli import AppGroup

from ..intake.catalogue import DEFAULT_FILE, CatalogueError, load

treatments_cli = AppGroup("treatments", help="Check the clinic's treatment catalogue.")


@treatments_cli.command("check")
@click.option("--file", "path", type=click.Path(dir_okay=False),
              help="Catalogue to check (default rules/treatments.toml).")
def check_command(path):
    """Load and validate the treatment catalogue; exit 0 when it is usable."""
    try:
        treatments = load(path or DEFAULT_FILE)
    except CatalogueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Catalogue: {len(treatments)} treatments")
    for t in treatments.values():
        limit = f"under {t.minimum_age} forbidden by the {t.law}" if t.law else \
            f"from {t.minimum_age} (clinic policy)"
        click.echo(f"  {t.id}: {t.name}; cooling-off {t.cooling_off_hours} h; {limit}"
                   f"{'; product and batch recorded' if t.records_product else ''}")


COMMANDS = [treatments_cli]
