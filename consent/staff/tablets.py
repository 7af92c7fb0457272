"""Reception tablets: one-time enrolment, device tokens, revocation and expiry."""
import secrets
from datetime import datetime, timedelta

from ..kernel import clock
from ..kernel.status import Refused
from ..kernel.storage import immediate
from ..kernel.tokens import public_link, token_hash

UNUSED_DAYS = 90  # a tablet not used for this long must be enrolled again


def create(db, name, valid_hours=24):
    """Register a tablet and return its one-time enrolment token; names are unique."""
    token = secrets.token_urlsafe(32)
    now = clock.now()
    # Two tablets of one name cannot be told apart in /admin, nor revoked one by one.
    if db["kiosks"].count_where("lower(trim(name)) = lower(trim(?)) and revoked_at is null",
                                [name]):
        raise Refused("name", f"A tablet is already called {name.strip()!r}: choose another "
                              "name, or revoke that one first.")
    db["kiosks"].insert({"id": secrets.token_urlsafe(8), "name": name,
                         "enrol_token_hash": token_hash(token),
                         "enrol_expires": clock.iso(now + timedelta(hours=valid_hours)),
                         "created_at": clock.iso(now)})
    return token


def pending(db, enrol_token):
    """Return the tablet a live enrolment token belongs to, or None."""
    row = next(db["kiosks"].rows_where("enrol_token_hash = ? and revoked_at is null",
                                       [token_hash(enrol_token)]), None)
    if row is None or datetime.fromisoformat(row["enrol_expires"]) < clock.now():
        return None
    return row


def enrol(db, enrol_token):
    """Spend a one-time token; return the kiosk and its device token, or (None, None)."""
    with immediate(db):
        row = pending(db, enrol_token)
        if row is None:
            return None, None
        device, now = secrets.token_urlsafe(32), clock.iso(clock.now())
        db["kiosks"].update(row["id"], {"enrol_token_hash": None, "token_hash": token_hash(device),
                                        "enrolled_at": now, "last_seen": now})
    return row, device


def revoke(db, kiosk_id):
    """Revoke a tablet; its cookie stops working at once."""
    db["kiosks"].update(kiosk_id, {"revoked_at": clock.iso(clock.now()),
                                   "enrol_token_hash": None})


def enrolment_link(config, token):
    """Return the link to open on the tablet."""
    return public_link(config, "/kiosk/enrol", token)


def device(db, token):
    """Return the live tablet for a device token, noting its use; None if unknown or stale."""
    row = next(db["kiosks"].rows_where("token_hash = ? and revoked_at is null",
                                       [token_hash(token)]), None)
    now = clock.now()
    if row is None or datetime.fromisoformat(row["last_seen"]) < now - timedelta(days=UNUSED_DAYS):
        return None
    if datetime.fromisoformat(row["last_seen"]) < now - timedelta(hours=1):
        db["kiosks"].update(row["id"], {"last_seen": clock.iso(now)})  # hourly is enough
    return row
