"""The rule set in the app: loaded and checked at start-up; no questionnaire judged without it."""
from flask import abort, current_app

from ..intake.questionnaire import vocabulary
from ..intake.rules import RuleSetError, load


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
    """Answer 503 while the rule set is invalid."""
    if current_app.extensions.get("consent.ruleset_error"):
        abort(503)


def init_app(app):
    """Load the rule set, or keep the reason it is invalid so the app refuses to serve."""
    try:
        app.extensions["consent.ruleset"] = load(app.config["RULES_FILE"], vocabulary(),
                                                 app.config["DEVICE_INSTRUCTIONS"])
    except RuleSetError as error:
        # Kept rather than raised, so `flask rules check` can still report it plainly;
        # wsgi.py refuses to start and every request answers 503.
        app.extensions["consent.ruleset_error"] = error
        app.logger.error("Invalid rule set: %s", error)
    app.before_request(refuse_requests)
