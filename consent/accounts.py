"""Staff accounts: argon2id passwords and login throttling counted in SQLite."""
import re
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from . import clock
from .db import immediate

ROLES = ("doctor", "admin")
hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the user is unknown, so both failures take the same time.
DUMMY_HASH = hasher.hash("not a password")


class Throttled(Exception):
    """Too many failed log-ins for this account or address."""


def check_password(password):
    """Refuse a password too short to resist guessing."""
    if len(password) < 12:
        raise ValueError("passwords need at least 12 characters")


def create(db, username, role, password):
    """Add a staff account; refuse unknown roles, duplicates and short passwords."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    check_password(password)
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,40}", username):
        raise ValueError("usernames are 2-40 letters, digits, '.', '-' or '_'")
    with immediate(db):
        if db["users"].count_where("username = ?", [username]):
            raise ValueError(f"user {username} already exists")
        db["users"].insert({"username": username, "role": role, "disabled": 0,
                            "password_hash": hasher.hash(password),
                            "created_at": clock.iso(clock.now())})


def set_password(db, username, password):
    """Replace a user's password."""
    check_password(password)
    db["users"].update(username, {"password_hash": hasher.hash(password)})


def set_disabled(db, username, disabled):
    """Disable or re-enable an account."""
    db["users"].update(username, {"disabled": int(disabled)})


def failures_since(db, column, value, since):
    """Count failed log-ins for a username or address since a moment."""
    return db["login_failures"].count_where(f"{column} = ? and at >= ?", [value, since])


def check_throttle(db, username, address, config):
    """Raise Throttled when the account or the address has failed too often lately."""
    since = clock.iso(clock.now() - timedelta(minutes=config["LOGIN_WINDOW_MINUTES"]))
    if (failures_since(db, "username", username, since) >= config["LOGIN_MAX_FAILURES"]
            or failures_since(db, "address", address, since) >= config["LOGIN_MAX_PER_ADDRESS"]):
        raise Throttled()


def authenticate(db, username, password, address, config):
    """Return the active user for these credentials, or None; record failures."""
    check_throttle(db, username, address, config)
    user = next(db["users"].rows_where("username = ?", [username]), None)
    try:
        hasher.verify(user["password_hash"] if user else DUMMY_HASH, password)
        ok = user is not None and not user["disabled"]
    except (VerificationError, InvalidHashError):
        ok = False
    with immediate(db):
        if not ok:
            db["login_failures"].insert({"username": username, "address": address,
                                         "at": clock.iso(clock.now())})
            return None
        db["login_failures"].delete_where("username = ?", [username])
        if hasher.check_needs_rehash(user["password_hash"]):
            db["users"].update(username, {"password_hash": hasher.hash(password)})
    return user
