"""Gunicorn entry point: `gunicorn wsgi:app` (run `flask --app consent init` first)."""
from consent import create_app

app = create_app()
if not app.config.get("SECRET_KEY"):
    raise SystemExit("No SECRET_KEY: run `flask --app consent init` (or `make run`) first.")
