"""Gunicorn entry point: `gunicorn -c python:consent.serving wsgi:app` (after `flask init`)."""
from consent import create_app
from consent.instance import startup_checks
from consent.web import startup_problem

app = create_app()
if problem := startup_problem(app):
    raise SystemExit(problem)
for warning in startup_checks(app.config):  # once, in gunicorn's master (preload_app)
    app.logger.warning(warning)
