"""Log-in throttling counted in SQLite: a growing delay per account and address.

A stranger who types wrong passwords for an account slows down only their own address;
the owner, from their own device, logs in as usual. No account is ever locked by others.
"""
from datetime import datetime, timedelta

from ..kernel import clock
from ..kernel.storage import immediate

FREE_TRIES = 3  # failures from one address on one account before any wait
MAX_WAIT = timedelta(minutes=15)
KEEP = timedelta(days=30)  # the owner is told of failures since their last log-in


class Throttled(Exception):
    """Too many failures from this address (on this account): wait, then try again."""

    def __init__(self, wait=None):
        super().__init__()
        seconds = max(1, int(wait.total_seconds()) + 1) if wait else 0
        self.spoken = (f"{seconds} second{'s' * (seconds != 1)}" if seconds < 120 else
                       f"{seconds // 60 + 1} minutes") if seconds else "15 minutes"


def failure_key(db, username):
    """Name an account in the failure table; what was typed for an unknown one is not kept."""
    # People type passwords into the username box: keep no such text, not even hashed.
    return username if db["users"].count_where("username = ?", [username]) else "?"


def failures_since(db, column, value, since, kind="login"):
    """Count failures of a kind for a username or address since a moment."""
    return db["login_failures"].count_where(f"{column} = ? and at >= ? and kind = ?",
                                            [value, since, kind])


def window_start(config):
    """Return the start of the current throttling window."""
    return clock.iso(clock.now() - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))


def wait_needed(failures):
    """Return how long to wait after this many failures: none at first, then doubling."""
    if failures < FREE_TRIES:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - FREE_TRIES)), MAX_WAIT)


def check_address(db, address, config):
    """Raise Throttled when this address has failed too often lately, on any account."""
    if failures_since(db, "address", address, window_start(config)) >= \
            config["LOGIN_MAX_PER_ADDRESS"]:
        raise Throttled()


def check(db, username, address, config):
    """Raise Throttled while this address must wait, for this account or for all of them."""
    check_address(db, address, config)
    since = window_start(config)
    row = next(db.query(
        "select count(*) n, max(at) last from login_failures where username = ? and "
        "address = ? and at >= ? and kind = 'login'", [failure_key(db, username), address,
                                                      since]))
    if row["n"]:
        left = datetime.fromisoformat(row["last"]) + wait_needed(row["n"]) - clock.now()
        if left > timedelta(0):
            raise Throttled(left)


def record_failure(db, username, address, kind="login"):
    """Count a failed password, code or PIN; forget failures older than KEEP."""
    with immediate(db):
        db["login_failures"].delete_where("at < ?", [clock.iso(clock.now() - KEEP)])
        db["login_failures"].insert({"username": failure_key(db, username), "kind": kind,
                                     "address": address, "at": clock.iso(clock.now())})


def pin_locked(db, username, config):
    """Tell whether wrong PINs locked signing by PIN (password and code still sign)."""
    return failures_since(db, "username", username, window_start(config),
                          kind="pin") >= config["PIN_MAX_FAILURES"]


def notice_due(db, key, config):
    """Count a throttled attempt; tell whether it is the first of its window (to audit)."""
    # Throttled attempts cost no password check, so one client can send hundreds a second:
    # the write-once audit log gets one row per kind of notice per window, not each.
    now = clock.now()
    with immediate(db):
        row = next(db["throttle_notices"].rows_where("key = ?", [key]), None)
        fresh = row is None or datetime.fromisoformat(row["since"]) < \
            now - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"])
        db["throttle_notices"].upsert({"key": key, "since": clock.iso(now) if fresh else
                                       row["since"], "count": 1 if fresh else row["count"] + 1},
                                      pk="key")
    return fresh
