"""The request's SQLite connection: opened on first use, closed at teardown."""
from flask import current_app, g

from .storage import connect


def get_db():
    """Return this request's database, connecting on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None):
    """Close the request's connection if one was opened."""
    db = g.pop("db", None)
    if db is not None:
        db.conn.close()


def init_app(app):
    """Register connection teardown with the app."""
    app.teardown_appcontext(close_db)
