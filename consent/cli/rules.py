"""`flask rules`: check the rule set and evaluate answers with it."""
import json
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..answers import AnswerError
from ..forms import validated_answers
from ..questionnaire import vocabulary
from ..rules import RuleSetError, evaluate, load
from ..web.rules import get_ruleset
from .base import today

rules_cli = AppGroup("rules", help="Check the rule set and evaluate answers with it.")

@rules_cli.command("check")
@click.option("--file", "path", type=click.Path(dir_okay=False), help="Rule file to check.")
def check_command(path):
    """Load and validate the rule set; exit 0 when it is usable."""
    try:
        ruleset = load(path or current_app.config["RULES_FILE"], vocabulary())
    except RuleSetError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Rule set {ruleset.version}: {len(ruleset.rules)} rules, "
               f"sha256 {ruleset.sha256}")


@rules_cli.command("eval")
@click.argument("answers_file", type=click.File("r"))
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Treatment date.")
def eval_command(answers_file, on):
    """Evaluate answers (the dictionary's JSON encoding) and print the flags as JSON."""
    day = on.date() if on else today()
    try:
        answers = validated_answers(json.load(answers_file), day)
    except (AnswerError, json.JSONDecodeError) as error:
        click.echo(f"Invalid answers: {error}", err=True)
        sys.exit(2)
    result = evaluate(get_ruleset(), answers, day).to_dict()
    del result["on"]
    for flag in result["flags"]:
        for extra in ("explanation", "source", "aftercare"):
            flag.pop(extra)
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


COMMANDS = [rules_cli]
