"""Staff accounts: argon2id passwords, set-up links and log-in throttling in SQLite."""
import re
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..kernel import clock
from ..kernel.storage import immediate
from ..kernel.tokens import token_hash
from . import sessions
from .throttle import check, record_failure

ROLES = ("doctor", "practitioner", "reception", "admin", "doctor_admin")
# What each role may do beyond its own name: a doctor can do all a practitioner can, and a
# one-doctor clinic's admin may choose to give that doctor the administrator's rights too.
ALSO = {"doctor": ("practitioner",), "doctor_admin": ("doctor", "practitioner", "admin")}
REGISTRATION = re.compile(r"[A-Z][A-Za-z]{1,5} [A-Z0-9]{4,12}")  # GMC 1234567, NMC 12A3456B
NO_PASSWORD = "!"  # not an argon2 hash: nothing verifies against it
SETUP_LINK_HOURS = 72
hasher = PasswordHasher()  # argon2id with the library's current recommended parameters
# Verified when the user is unknown, so both failures take the same time.
DUMMY_HASH = hasher.hash("not a password")


class AccountError(ValueError):
    """A change to an account that cannot be made; the message says why."""


def check_password(password):
    """Refuse a password too short to resist guessing."""
    if len(password) < 12:
        raise AccountError("passwords need at least 12 characters")


def create(db, username, role, password=None, full_name="", registration=""):
    """Add a staff account; without a password it can only be opened by a set-up link."""
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if registration and not REGISTRATION.fullmatch(registration):
        raise AccountError("registration: the body's letters, a space and the number, "
                           "e.g. GMC 1234567 or NMC 12A3456B")
    if password is not None:
        check_password(password)
    if not re.fullmatch(r"[A-Za-z0-9._-]{2,40}", username):
        raise AccountError("usernames are 2-40 letters, digits, '.', '-' or '_'")
    with immediate(db):
        if db["users"].count_where("username = ?", [username]):
            raise AccountError(f"user {username} already exists")
        db["users"].insert({"username": username, "role": role, "disabled": 0,
                            "full_name": full_name or "", "registration": registration or "",
                            "password_hash": hasher.hash(password) if password else NO_PASSWORD,
                            "created_at": clock.iso(clock.now())})


def exists(db, username):
    """Tell whether a staff account of that name exists."""
    return bool(db["users"].count_where("username = ?", [username]))


def set_password(db, username, password):
    """Replace a user's password and end all their sessions."""
    check_password(password)
    with immediate(db):
        db["users"].update(username, {"password_hash": hasher.hash(password)})
        sessions.end_all(db, username)


def change_password(db, username, current, new):
    """Change one's own password, which needs the current one."""
    if not verify(db["users"].get(username)["password_hash"], current):
        raise AccountError("The current password is not right.")
    set_password(db, username, new)


def set_disabled(db, username, disabled):
    """Disable or re-enable an account; disabling ends its sessions for good."""
    with immediate(db):
        db["users"].update(username, {"disabled": int(disabled)})
        sessions.end_all(db, username)


def issue_setup_link(db, username, hours=SETUP_LINK_HOURS):
    """Clear the password and return a one-time token with which its owner sets a new one."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    with immediate(db):
        db["setup_tokens"].delete_where("username = ?", [username])
        db["setup_tokens"].insert({"token_hash": token_hash(token),
                                   "username": username, "created_at": clock.iso(now),
                                   "expires_at": clock.iso(now + timedelta(hours=hours))})
        db["users"].update(username, {"password_hash": NO_PASSWORD})
        sessions.end_all(db, username)
    return token


def setup_user(db, token):
    """Return the username a live set-up token belongs to, or None."""
    row = next(db["setup_tokens"].rows_where("token_hash = ?", [token_hash(token)]),
               None)
    if row is None or datetime.fromisoformat(row["expires_at"]) < clock.now():
        return None
    return row["username"]


def use_setup_link(db, token, password):
    """Set the password through a set-up link, spending the link; return the username."""
    check_password(password)
    with immediate(db):
        username = setup_user(db, token)
        if username is None:
            raise AccountError("This set-up link has been used or has expired.")
        db["setup_tokens"].delete_where("username = ?", [username])
        db["users"].update(username, {"password_hash": hasher.hash(password)})
    return username


def verify(password_hash, password):
    """Tell whether a password matches a stored hash."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(db, username, password, address, config):
    """Return (user, failures since the last log-in) for good credentials, else (None, 0).

    Raises Throttled while this address must wait; the owner elsewhere is not slowed.
    """
    check(db, username, address, config)
    user = db["users"].get(username) if exists(db, username) else None
    ok = verify(user["password_hash"] if user else DUMMY_HASH, password)
    if not ok or user["disabled"]:
        if not ok:
            record_failure(db, username, address)
        return None, 0
    with immediate(db):
        failures = db["login_failures"].count_where("username = ?", [username])
        db["login_failures"].delete_where("username = ?", [username])
        if hasher.check_needs_rehash(user["password_hash"]):
            db["users"].update(username, {"password_hash": hasher.hash(password)})
    return user, failures


def profile(db, username):
    """Return a staff member's username, full name and registration (empty if unknown)."""
    user = db["users"].get(username) if exists(db, username) else {}
    return {"username": username, "full_name": user.get("full_name") or "",
            "registration": user.get("registration") or ""}


def signer(db, username):
    """Name a staff member as records print them: full name, registration, username."""
    user = profile(db, username)
    name = user["full_name"] or username
    return f"{name} ({user['registration']})" if user["registration"] else name


def is_doctor(db, username):
    """Tell whether a staff member may act as a doctor."""
    user = db["users"].get(username) if exists(db, username) else None
    return user is not None and may(user["role"], "doctor")


def doctors(db):
    """List (username, name as printed) of every enabled member who may act as a doctor."""
    return [(row["username"], signer(db, row["username"])) for row in db["users"].rows_where(
        "disabled = 0", order_by="username") if may(row["role"], "doctor")]


def may(role, as_role):
    """Tell whether a member with this role may act as as_role."""
    return role == as_role or as_role in ALSO.get(role, ())
