"""The request's SQLite connection: opened on first use, closed at teardown."""
from flask import current_app, g

from .evidence import checkpoints, witness
from .evidence.seal import keys
from .kernel.storage import connect


def get_db():
    """Return this request's database, connecting on first use."""
    if "db" not in g:
        g.db = connect(current_app.config["DATABASE"])
    return g.db


def close_db(exc=None):
    """Anchor what the request or command wrote, then close its connection."""
    db = g.pop("db", None)
    if db is None:
        return
    try:
        if not db.conn.total_changes:  # wrote nothing, so moved no chain
            return
        config = current_app.config
        checkpoints.write(db, keys.from_config(config), config["CHECKPOINT_DIR"],
                          config["CHECKPOINT_MINUTES"], witnessed=witness.configured(config))
    except Exception:  # noqa: BLE001 - what was written is committed; the next write anchors it
        current_app.logger.exception("Could not write a checkpoint")
    finally:
        db.conn.close()


def init_app(app):
    """Register connection teardown with the app."""
    app.teardown_appcontext(close_db)
