"""Log-in throttling counted in SQLite, per account and per address."""
from datetime import datetime, timedelta

from . import clock
from .storage import immediate


class Throttled(Exception):
    """Too many failed log-ins from this address."""


def failure_key(db, username):
    """Name an account in the failure table; what was typed for an unknown one is not kept."""
    # People type passwords into the username box: keep no such text, not even hashed.
    return username if db["users"].count_where("username = ?", [username]) else "?"


def failures_since(db, column, value, since):
    """Count failed log-ins for a username or address since a moment."""
    return db["login_failures"].count_where(f"{column} = ? and at >= ?", [value, since])


def window_start(config):
    """Return the start of the current throttling window."""
    return clock.iso(clock.now() - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))


def account_locked(db, username, config):
    """Tell whether an account has failed too often lately."""
    return failures_since(db, "username", failure_key(db, username),
                          window_start(config)) >= config["LOGIN_MAX_FAILURES"]


def check_address(db, address, config):
    """Raise Throttled when this address has failed too often lately."""
    if failures_since(db, "address", address, window_start(config)) >= \
            config["LOGIN_MAX_PER_ADDRESS"]:
        raise Throttled()


def record_failure(db, username, address):
    """Count a failed password or code against the account and the address."""
    with immediate(db):
        db["login_failures"].insert({"username": failure_key(db, username),
                                     "address": address, "at": clock.iso(clock.now())})


def notice_due(db, key, config):
    """Count a throttled attempt; tell whether it is the first of its window (to audit)."""
    # Throttled attempts cost no password check, so one client can send hundreds a second:
    # the write-once audit log gets one row per account or address per window, not each.
    now = clock.now()
    with immediate(db):
        row = next(db["throttle_notices"].rows_where("key = ?", [key]), None)
        fresh = row is None or datetime.fromisoformat(row["since"]) < \
            now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
        db["throttle_notices"].upsert({"key": key, "since": clock.iso(now) if fresh else
                                       row["since"], "count": 1 if fresh else row["count"] + 1},
                                      pk="key")
    return fresh
