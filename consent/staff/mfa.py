"""Staff second factor: TOTP (RFC 6238, pyotp) and single-use recovery codes."""
import base64
import hashlib
import hmac
import secrets
from io import BytesIO

import pyotp
import qrcode
import qrcode.image.svg

from ..kernel import clock
from ..kernel.storage import immediate
from . import sessions

RECOVERY_CODES = 10
# One step either side absorbs a phone clock that is up to 30 s off.
DRIFT_STEPS = 1


def new_secret():
    """Return a fresh base32 TOTP secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret, username, issuer):
    """Return the otpauth:// URI an authenticator app reads."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_data_uri(uri):
    """Draw the URI as a QR code, locally, and return it as an SVG data: URI."""
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    out = BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def matching_step(secret, code, last_step=None):
    """Return the time step a code belongs to, or None; a step used before never matches."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp, moment = pyotp.TOTP(secret), clock.now()
    current = totp.timecode(moment)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue  # replay: this code, or an earlier one, was already accepted
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def recovery_hash(code):
    """Hash a recovery code; codes are random, so a plain SHA-256 cannot be reversed."""
    return hashlib.sha256("".join(code.lower().split()).replace("-", "").encode()).hexdigest()


def new_recovery_codes():
    """Return fresh recovery codes, each 10 random base32 characters shown as xxxxx-xxxxx."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(10)).decode().lower()[:10]
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def provision(db, username):
    """Return the user's TOTP secret, creating an unconfirmed one if there is none."""
    with immediate(db):
        secret = db["users"].get(username)["totp_secret"]
        if not secret:
            secret = new_secret()
            db["users"].update(username, {"totp_secret": secret, "totp_confirmed_at": None,
                                          "totp_last_step": None})
    return secret


def enrolled(user):
    """Tell whether a user has confirmed a second factor."""
    return bool(user["totp_confirmed_at"])


def confirm(db, username, code):
    """Confirm the new factor with a first code; return fresh recovery codes, or None."""
    if not accept_code(db, username, code, recovery=False):
        return None
    codes = new_recovery_codes()
    with immediate(db):
        db["users"].update(username, {"totp_confirmed_at": clock.iso(clock.now())})
        db["recovery_codes"].delete_where("username = ?", [username])
        db["recovery_codes"].insert_all({"code_hash": recovery_hash(c), "username": username}
                                        for c in codes)
    return codes


def accept_code(db, username, code, recovery=True):
    """Spend a TOTP code (once per step) or an unused recovery code; tell if it was good."""
    with immediate(db):  # read and spend in one locked step: two requests cannot share a code
        user = db["users"].get(username)
        if not user["totp_secret"]:
            return False
        step = matching_step(user["totp_secret"], code, user["totp_last_step"])
        if step is not None:
            db["users"].update(username, {"totp_last_step": step})
            return True
        if not recovery:
            return False
        spent = db.execute(
            "update recovery_codes set used_at = ? where code_hash = ? and username = ? "
            "and used_at is null", [clock.iso(clock.now()), recovery_hash(code), username])
        return spent.rowcount == 1


def reset(db, username):
    """Forget a user's factor and recovery codes; they enrol again at their next log-in."""
    with immediate(db):
        db["users"].update(username, {"totp_secret": None, "totp_confirmed_at": None,
                                      "totp_last_step": None})
        db["recovery_codes"].delete_where("username = ?", [username])
        sessions.end_all(db, username)
