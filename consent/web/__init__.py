"""The web edge: request checks, error pages, log-in, and the pages of each audience."""
from . import account, admin, auth, errors, intake, review, rules, security, tablet


def init_app(app):
    """Register the checks, error pages and blueprints, in the order requests meet them."""
    for part in (security, errors, rules, auth, account, tablet, intake, review, admin):
        part.init_app(app)


def startup_problem(app):
    """Say why this app must not serve (no secret key, invalid rules), or None."""
    if not app.config.get("SECRET_KEY"):
        return "No SECRET_KEY: run `flask --app consent init` (or `make run`) first."
    return rules.startup_problem(app)
