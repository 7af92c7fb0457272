"""Gunicorn entry point: `gunicorn wsgi:app` (run `flask --app consent init` first)."""
from consent import create_app
from consent.instance import startup_problem

app = create_app()
if problem := startup_problem(app):
    raise SystemExit(problem)
