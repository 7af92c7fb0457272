"""Open the SQLite database with durable settings, and hold the write lock when needed."""
import sqlite3
from contextlib import contextmanager

from sqlite_utils import Database

from .schema import migrations

PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA busy_timeout=10000",
    "PRAGMA foreign_keys=ON",
)


def connect(path):
    """Open a connection with the durability PRAGMAs and wrap it for sqlite-utils."""
    # isolation_level=None: we issue BEGIN ourselves, so BEGIN IMMEDIATE is possible.
    conn = sqlite3.connect(path, timeout=10, isolation_level=None, check_same_thread=False)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    return Database(conn)


@contextmanager
def immediate(db):
    """Run a read-then-write block holding the write lock from its first statement."""
    # Plain BEGIN (what db.atomic() issues) upgrades to a write lock late and fails
    # with "database is locked" when another worker got there first.
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


def migrate(path):
    """Apply pending schema migrations to the database at path."""
    db = connect(path)
    try:
        migrations.apply(db)
    finally:
        db.conn.close()
