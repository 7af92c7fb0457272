"""Gunicorn entry point: `gunicorn wsgi:app`."""
from consent import create_app

app = create_app()
