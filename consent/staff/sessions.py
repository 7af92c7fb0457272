"""Server-side staff sessions: only a hash of the cookie token is stored."""
import secrets
from datetime import datetime, timedelta

from ..kernel import clock
from ..kernel.tokens import token_hash

# A session is "password" after the password, "full" after the second factor too.
STAGES = ("password", "full")


def start(db, username, stage="full"):
    """Create a server-side session and return its cookie token."""
    token, now = secrets.token_urlsafe(32), clock.iso(clock.now())
    db["sessions"].insert({"token_hash": token_hash(token), "username": username,
                           "created_at": now, "last_seen": now, "stage": stage})
    return token


def promote(db, token):
    """Mark a session as having passed the second factor, under a new token."""
    # A new token after each step, so a token seen before the second factor is worthless.
    row = db["sessions"].get(token_hash(token))
    end(db, token)
    return start(db, row["username"], "full")


def end(db, token):
    """End one session."""
    db["sessions"].update(token_hash(token), {"ended_at": clock.iso(clock.now())})


def end_all(db, username):
    """End every live session of a user (password or factor change, disabling)."""
    db.execute("update sessions set ended_at = ? where username = ? and ended_at is null",
               [clock.iso(clock.now()), username])


def lookup(db, token, config):
    """Return (user, stage) of a live session, ending it if it has timed out; else None."""
    row = next(db["sessions"].rows_where("token_hash = ? and ended_at is null",
                                         [token_hash(token)]), None)
    if row is None:
        return None
    now = clock.now()
    idle = now - datetime.fromisoformat(row["last_seen"])
    age = now - datetime.fromisoformat(row["created_at"])
    user = db["users"].get(row["username"])
    if (idle > timedelta(minutes=config["SESSION_IDLE_MINUTES"]) or user["disabled"]
            or age > timedelta(hours=config["SESSION_MAX_HOURS"])):
        end(db, token)
        return None
    db["sessions"].update(row["token_hash"], {"last_seen": clock.iso(now)})
    return user, row["stage"]
