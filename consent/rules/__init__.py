"""The rule set as an app subsystem: loaded and checked at start-up, plus its CLI."""
import json
import sys

import click
from flask import abort, current_app
from flask.cli import AppGroup

from ..answers import AnswerError
from ..forms import validated_answers
from ..forms.validators import clinic_today
from ..questionnaire import vocabulary
from .engine import Evaluation, Flag, evaluate
from .loader import RuleSet, RuleSetError, load

rules_cli = AppGroup("rules", help="Check the rule set and evaluate answers with it.")


def get_ruleset():
    """Return the rule set loaded for this app, or raise why it could not be loaded."""
    if error := current_app.extensions.get("consent.ruleset_error"):
        raise error
    return current_app.extensions["consent.ruleset"]


def startup_problem(app):
    """Say why the rule set stops this app from serving, or return None."""
    if error := app.extensions.get("consent.ruleset_error"):
        return f"Invalid rule set: {error}"
    return None


def refuse_requests():
    """Answer 503 while the rule set is invalid: no questionnaire is judged without it."""
    if current_app.extensions.get("consent.ruleset_error"):
        abort(503)


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
    day = on.date() if on else clinic_today()
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


def init_app(app):
    """Load the rule set, or keep the reason it is invalid so the app refuses to serve."""
    try:
        app.extensions["consent.ruleset"] = load(app.config["RULES_FILE"], vocabulary())
    except RuleSetError as error:
        # Kept rather than raised, so `flask rules check` can still report it plainly;
        # wsgi.py refuses to start and every request answers 503.
        app.extensions["consent.ruleset_error"] = error
        app.logger.error("Invalid rule set: %s", error)
    app.before_request(refuse_requests)
    app.cli.add_command(rules_cli)


__all__ = ["Evaluation", "Flag", "RuleSet", "RuleSetError", "evaluate", "get_ruleset",
           "init_app", "load", "startup_problem", "vocabulary"]
