"""Staff re-prove who they are before signing: password and second factor, or their PIN."""
import re

from ..kernel.status import Refused
from ..kernel.storage import immediate
from ..staff import accounts, mfa
from ..staff.throttle import Throttled, check, pin_locked, record_failure

PIN = re.compile(r"[0-9]{6,12}")


class SigningError(Refused):
    """Credentials that do not sign."""


def set_pin(db, username, pin):
    """Store a signing PIN (6 to 12 digits, not all one digit), hashed with argon2."""
    if not PIN.fullmatch(pin or "") or len(set(pin)) == 1:
        raise SigningError("pin", "A PIN is 6 to 12 digits, not all the same digit.")
    with immediate(db):
        db["users"].update(username, {"pin_hash": accounts.hasher.hash(pin)})
        # A new PIN, set with the password, ends a lock that wrong PINs caused.
        db["login_failures"].delete_where("username = ? and kind = 'pin'", [username])


def has_pin(db, username):
    """Tell whether a staff member has set a signing PIN."""
    return bool(db["users"].get(username).get("pin_hash"))


def confirm(db, username, address, config, password="", code="", pin=""):
    """Check a signing PIN, or a password and a fresh second-factor code; name the method."""
    user = db["users"].get(username)
    if pin:
        if pin_locked(db, username, config):
            raise SigningError("pin", "Signing by PIN is locked after too many wrong PINs. "
                                      "Sign with your password and a code instead.")
        if accounts.verify(user.get("pin_hash") or accounts.DUMMY_HASH, pin):
            return "pin"
        record_failure(db, username, address, kind="pin")  # locks the PIN, never the log-in
        raise SigningError("pin", "That PIN is not right.")
    try:
        check(db, username, address, config)
    except Throttled as wait:
        raise SigningError("password", f"Too many wrong attempts: wait {wait.spoken}, "
                                       "then try again.") from None
    if not accounts.verify(user["password_hash"], password):
        record_failure(db, username, address)
        raise SigningError("password", "That password is not right.")
    # Each time step signs once; recovery codes are for logging in, not for signing.
    if not mfa.accept_code(db, username, code, recovery=False):
        record_failure(db, username, address)
        raise SigningError("code", "That code is not right, or was used already.")
    return "password and second factor"
