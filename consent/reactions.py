"""Reactions patients report after treatment: linked to the treatment and its batches.

A report mentioning spreading redness, pus or fever is urgent. A batch named in two or
more reports is highlighted to doctors: the pattern matters more than any one report.
"""
import io
import json
import re

from PIL import Image, UnidentifiedImageError

from . import clock
from .status import Refused

URGENT = re.compile(r"spread|pus\b|puss|fever|temperature|shiver|chills", re.IGNORECASE)
PHOTO_SIDE = 1600  # pixels on the longer side once re-encoded
# Refuse anything larger before decoding it: Pillow holds 4 bytes a pixel, so a decoded
# photo stays under 48 MB. A JPEG is decoded at a reduced scale first (a 48-megapixel phone
# photo at half size), so only a PNG or GIF of more than 12 megapixels is turned away.
PHOTO_PIXELS = 12_000_000
BATCH_ALERT = 2


class PhotoError(Refused):
    """A photo that cannot be read as an image."""


def reencode(data):
    """Return a photo as a fresh JPEG: scaled down, no metadata (no location, no camera)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (PHOTO_SIDE, PHOTO_SIDE))  # JPEG: decode at a smaller scale
            if image.width * image.height > PHOTO_PIXELS:
                raise PhotoError("photo", "This photo is too large. Please send a smaller one.")
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise PhotoError("photo", "This file is not a photo we can read. Please send a JPEG "
                                  "or PNG.") from error
    return out.getvalue()


def report(db, submission_id, what, area, since, photo=None):
    """Store a patient's report; return its row (urgent when the words say so)."""
    row = {"submission_id": submission_id, "reported_at": clock.iso(clock.now()),
           "what": what, "area": area, "since": since.isoformat(),
           "photo": reencode(photo) if photo else None, "urgent": int(bool(URGENT.search(what)))}
    db["reactions"].insert(row)
    return row


def batches(details_json):
    """Return the (product, batch) pairs a treatment record names."""
    details = json.loads(details_json or "{}")
    return [(p["name"], p["batch"]) for p in details.get("products") or []]


def queue(db):
    """List reports for doctors, unseen and urgent first, each with its batches."""
    rows = list(db.query(
        "select r.id, r.submission_id, r.reported_at, r.what, r.area, r.since, r.urgent, "
        "r.seen_by, r.seen_at, r.photo is not null as has_photo, s.first_name, s.last_name, "
        "s.treatment, s.treatment_date, t.details from reactions r "
        "join submissions s on s.id = r.submission_id "
        "left join treatments t on t.submission_id = r.submission_id "
        "order by r.seen_at is not null, r.urgent desc, r.reported_at desc"))
    counts = {}
    for row in rows:
        row["batches"] = batches(row.pop("details"))
        for pair in set(row["batches"]):
            counts[pair] = counts.get(pair, 0) + 1
    for row in rows:
        row["alert_batches"] = [p for p in row["batches"] if counts[p] >= BATCH_ALERT]
    return rows, sorted(p for p, n in counts.items() if n >= BATCH_ALERT)


def unseen(db):
    """Count reports no doctor has seen yet, and how many of them are urgent."""
    return next(db.query("select count(*) as count, coalesce(sum(urgent), 0) as urgent "
                         "from reactions where seen_at is null"))


def seen(db, reaction_id, doctor):
    """Mark a report as seen by a doctor; False when there is no such report."""
    return db.execute("update reactions set seen_by = ?, seen_at = coalesce(seen_at, ?) "
                      "where id = ?", [doctor, clock.iso(clock.now()), reaction_id]).rowcount == 1


def photo(db, reaction_id):
    """Return a report's re-encoded photo, or None."""
    row = next(db["reactions"].rows_where("id = ?", [reaction_id], select="photo"), None)
    return row and row["photo"]
