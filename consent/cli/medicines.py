"""`flask medicines`: check the medicine classes; refresh their names from the vocabulary."""
import json
from pathlib import Path

import click
from flask.cli import AppGroup

from ..intake.medicines import (CLASSES_FILE, VOCABULARY_FILE, MedicineError, derive, load,
                                load_classes)

medicines_cli = AppGroup("medicines", help="The medicine classes the rules read.")


@medicines_cli.command("check")
def check_command():
    """Load the class table with its vocabulary; exit 0 when they are usable together."""
    try:
        vocabulary = load()
    except MedicineError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Medicine classes: {len(vocabulary.classes)}, {len(vocabulary.exact)} names")
    for kind in vocabulary.classes.values():
        asks = f"contradicts {kind.question}" if kind.question else "no question: always noted"
        click.echo(f"  {kind.id}: {len(kind.medicines)} medicines; {asks}")


@medicines_cli.command("refresh")
@click.option("--out", type=click.Path(dir_okay=False), help="Write here, not to the rules.")
def refresh_command(out):
    """Write the names of every classed medicine, from the installed drug vocabulary."""
    try:
        content = derive(load_classes(CLASSES_FILE))
    except MedicineError as error:
        raise click.ClickException(str(error)) from None
    target = Path(out or VOCABULARY_FILE)
    partial = target.with_suffix(".partial")
    partial.write_text(json.dumps(content, indent=1, ensure_ascii=False, sort_keys=True) + "\n")
    partial.replace(target)  # never a half-written vocabulary
    click.echo(f"Wrote {target} from {content['source']}")


COMMANDS = [medicines_cli]
