"""Reactions patients report after treatment: triaged, linked to the treatment and batches.

The clinic's signs (rules/reaction_signs.toml) make a report urgent, or an emergency that
the patient is told to call 999 for. A batch named in two or more reports is highlighted to
doctors: the pattern matters more than any one report.
"""
import io
import json
import re
import tomllib
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from ..kernel import clock
from ..kernel.languages import CLINIC, N_, shipped
from ..kernel.status import Refused

LEVELS = ("urgent", "emergency")  # the least pressing first
PHOTO_SIDE = 1600  # pixels on the longer side once re-encoded
# Refuse anything larger before decoding it: Pillow holds 4 bytes a pixel, so a decoded
# photo stays under 48 MB. A JPEG is decoded at a reduced scale first (a 48-megapixel phone
# photo at half size), so only a PNG or GIF of more than 12 megapixels is turned away.
PHOTO_PIXELS = 12_000_000
BATCH_ALERT = 2


@dataclass(frozen=True)
class Sign:
    """A sign of a complication, in the words patients use, and where it is documented."""

    name: str
    level: str
    words: tuple
    source: str

    @property
    def pattern(self):
        """Return the words as one expression matched at the start of a word."""
        return r"(?<!\w)(?:" + "|".join(self.words) + ")"

    @property
    def browser_pattern(self):
        """Return the same expression for a RegExp with the u flag, where \\w is ASCII only."""
        return r"(?<![\p{L}\p{N}_])(?:" + "|".join(self.words) + ")"


def words_of(path, name, entry):
    """Return a sign's words with those in the clinic's other languages; refuse a bad list."""
    translated = entry.get("words_in") or {}
    lists = [entry["words"], *(translated.values() if isinstance(translated, dict) else [None])]
    if not all(isinstance(words, list) and words and all(isinstance(w, str) for w in words)
               for words in lists):
        raise ValueError(f"{path}: {name}: every list of words needs at least one word")
    return tuple(word for words in lists for word in words)


def load_signs(path):
    """Read and check the clinic's reaction signs; a ValueError names what is wrong."""
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("sign") or []
    signs = []
    for number, entry in enumerate(entries, start=1):
        name = entry.get("name") or f"sign {number}"
        if entry.get("level") not in LEVELS:
            raise ValueError(f"{path}: {name}: level must be one of {', '.join(LEVELS)}")
        if not entry.get("words") or not entry.get("source"):
            raise ValueError(f"{path}: {name}: needs words and a source a reader can check")
        sign = Sign(name, entry["level"], words_of(path, name, entry), entry["source"])
        try:
            re.compile(sign.pattern)
        except re.error as error:
            raise ValueError(f"{path}: {name}: a word is not a valid expression ({error})")
        signs.append(sign)
    if not signs:
        raise ValueError(f"{path}: no [[sign]] entries")
    return signs


def triage(signs, text):
    """Return (the most pressing level or None, names of the signs the words match)."""
    found = [s for s in signs if re.search(s.pattern, text, re.IGNORECASE)]
    level = max((LEVELS.index(s.level) for s in found), default=None)
    return (None if level is None else LEVELS[level]), [s.name for s in found]


class PhotoError(Refused):
    """A photo that cannot be read as an image."""


def reencode(data):
    """Return a photo as a fresh JPEG: scaled down, no metadata (no location, no camera)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.draft("RGB", (PHOTO_SIDE, PHOTO_SIDE))  # JPEG: decode at a smaller scale
            if image.width * image.height > PHOTO_PIXELS:
                raise PhotoError("photo", N_("This photo is too large. Please send a smaller one."))
            image.thumbnail((PHOTO_SIDE, PHOTO_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, format="JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise PhotoError("photo", N_("This file is not a photo we can read. Please send a "
                                     "JPEG or PNG.")) from error
    return out.getvalue()


def report(db, signs, submission_id, what, area, since, photo=None, language=CLINIC):
    """Store a patient's report, triaged by the clinic's signs; return its row.

    The signs' words in other languages are drafts: a report written from a page in another
    language is at least urgent, so that a person reads it instead of a matcher missing it.
    """
    level, matched = triage(signs, what)
    if language != CLINIC and level is None:
        level, matched = "urgent", [f"Sent from a page in {shipped()[language].name} "
                                    f"({language}): the warning-sign words were not checked"]
    row = {"submission_id": submission_id, "reported_at": clock.iso(clock.now()),
           "what": what, "area": area, "since": since.isoformat(),
           "photo": reencode(photo) if photo else None, "urgent": int(level is not None),
           "emergency": int(level == "emergency"), "signs": json.dumps(matched)}
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
        "r.emergency, r.signs, "
        "r.seen_by, r.seen_at, r.photo is not null as has_photo, s.first_name, s.last_name, "
        "s.treatment, s.treatment_date, t.details from reactions r "
        "join submissions s on s.id = r.submission_id "
        "left join treatments t on t.submission_id = r.submission_id "
        "order by r.seen_at is not null, r.emergency desc, r.urgent desc, r.reported_at desc"))
    counts = {}
    for row in rows:
        row["signs"] = json.loads(row["signs"] or "[]")
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
