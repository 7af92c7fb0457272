"""Every `flask --app consent` command, registered in one place."""
from . import (backups, fhir, instance, mail, medicines, records, replica, rules, staff,
               translations, treatments, witness)


def init_app(app):
    """Register every command group of the service."""
    for module in (instance, staff, records, backups, rules, treatments, medicines, fhir,
                   mail, translations, witness, replica):
        for command in module.COMMANDS:
            app.cli.add_command(command)
