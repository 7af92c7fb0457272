"""`flask rules`: check the rule set and evaluate answers with it."""
import json
import sys
from datetime import date

import click
from flask import current_app
from flask.cli import AppGroup

from ..evidence.pdf import attached_record
from ..forms import validated_answers
from ..instance import PLACEHOLDERS
from ..intake.answers import AnswerError
from ..intake.questionnaire import ADDED_IN, EDITION, vocabulary
from ..intake.rules import RuleSetError, evaluate, load
from ..web.rules import get_ruleset
from .base import today

rules_cli = AppGroup("rules", help="Check the rule set and evaluate answers with it.")

@rules_cli.command("check")
@click.option("--file", "path", type=click.Path(dir_okay=False), help="Rule file to check.")
def check_command(path):
    """Load and validate the rule set; exit 0 when it is usable."""
    named = current_app.config["DEVICE_INSTRUCTIONS"]
    try:
        ruleset = load(path or current_app.config["RULES_FILE"], vocabulary(), named)
    except RuleSetError as error:
        raise click.ClickException(str(error)) from None
    resting = [rule.id for rule in ruleset.rules if named in rule.source]
    if named == PLACEHOLDERS["DEVICE_INSTRUCTIONS"] and resting:
        raise click.ClickException(
            f"{len(resting)} rules ({', '.join(resting[:3])}, ...) rest on the device's "
            "instructions for use, but the clinic has not named its device: set "
            "DEVICE_INSTRUCTIONS in instance/config.py (device, document and version)")
    click.echo(f"Rule set {ruleset.version}: {len(ruleset.rules)} rules, "
               f"sha256 {ruleset.sha256}")


def read_answers(data):
    """Return the answers in a JSON file, a sealed record's JSON or a sealed PDF, and their
    edition when the record says it (None for plain answers)."""
    if data.startswith(b"%PDF"):
        record = attached_record(data)
        if record is None:
            raise ValueError("this PDF has no readable attached record")
    else:
        try:
            record = json.loads(data.decode("utf-8"))
        except UnicodeDecodeError:
            raise ValueError("the file is not UTF-8 text") from None
        except RecursionError:
            raise ValueError("the JSON is nested too deeply") from None
        except ValueError as error:  # bad JSON, or a number too long to read
            raise ValueError(f"not valid JSON ({str(error).split(':')[0]})") from None
    # A sealed record holds the answers beside the submission, evaluation and decision,
    # and its answers include the declarations: keep those the rule set reads.
    if isinstance(record, dict) and isinstance(record.get("treatment"), dict):
        raise ValueError(f"this is a treatment record; the answers are in the consent record "
                         f"it names ({(record.get('consent') or {}).get('id')})")
    if isinstance(record, dict) and isinstance(record.get("submission"), dict):
        answers = record.get("answers")
        fields = vocabulary()
        edition = str(record["submission"].get("edition", "1"))  # sealed before editions: 1
        return ({k: v for k, v in answers.items() if k in fields} if isinstance(
            answers, dict) else answers), edition
    return record, None


def refuse(lines):
    """Print why the answers cannot be evaluated, one line each, and exit 2."""
    for line in lines:
        click.echo(f"Invalid answers: {line}", err=True)
    sys.exit(2)


def read_history(history_file):
    """Return the clinic's past treatments from a JSON list of {"date", "areas"}."""
    try:
        history = json.loads(history_file.read().decode("utf-8"))
        return [{"date": date.fromisoformat(item["date"]).isoformat(),
                 "areas": [str(area) for area in item["areas"]]} for item in history]
    except (UnicodeDecodeError, ValueError, TypeError, KeyError) as error:
        raise ValueError(f"--history: a JSON list of {{\"date\": \"YYYY-MM-DD\", "
                         f"\"areas\": [...]}} ({type(error).__name__})") from None


@rules_cli.command("eval")
@click.argument("answers_file", type=click.File("rb"))
@click.option("--on", "on", type=click.DateTime(["%Y-%m-%d"]), help="Treatment date.")
@click.option("--history", "history_file", type=click.File("rb"),
              help="The patient's treatments at this clinic: JSON [{date, areas}, ...].")
@click.option("--edition", type=click.Choice(sorted({"1", *ADDED_IN})),
              help="The dictionary edition plain answers were given under (default: now).")
def eval_command(answers_file, on, history_file, edition):
    """Evaluate answers (JSON, a sealed record's JSON or its PDF) and print every flag whole."""
    day = on.date() if on else today()
    try:
        history = read_history(history_file) if history_file else []
        answers, sealed_in = read_answers(answers_file.read())
        answers = validated_answers(answers, day, sealed_in or edition or EDITION)
    except AnswerError as error:
        refuse(f"{field}: {message}" for field, message in error.errors.items())
    except ValueError as error:
        refuse([str(error)])
    result = evaluate(get_ruleset(), answers, day, history).to_dict()
    del result["on"]
    click.echo(json.dumps(result, indent=2, ensure_ascii=False))


COMMANDS = [rules_cli]
