"""The patient's protected links: a token in the fragment, opened with the date of birth.

Only a hash of each token is stored. A link locks after MAX_TRIES wrong dates of birth;
a questionnaire link is spent by the submission it brings.
"""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..kernel import clock
from ..kernel.languages import N_
from ..kernel.storage import immediate
from ..kernel.tokens import token_hash
from . import visits

MAX_TRIES = 5


class LinkRefused(Exception):
    """A link that does not open, with the words that say why (values fill their blanks)."""

    def __init__(self, words, **values):
        super().__init__(words)
        self.words, self.values = words, values

    def __str__(self):
        return self.words % self.values if self.values else self.words


class WrongBirthDate(LinkRefused):
    """A date of birth that does not match; the link may lock."""


def expiry(purpose, visit, config):
    """Return when a new link expires: a questionnaire link by its treatment date's end."""
    days = config["LINK_DAYS"] if purpose != "aftercare" else config["AFTERCARE_LINK_DAYS"]
    ends = clock.now() + timedelta(days=days)
    if purpose == "questionnaire":
        zone = ZoneInfo(config["CLINIC_TIMEZONE"])
        day_end = datetime.combine(datetime.fromisoformat(visit["treatment_date"]).date(),
                                   time.max, zone)
        ends = min(ends, day_end)
    return ends


def issue(db, visit, purpose, config, token):
    """Store a link for a visit by its token's hash only.

    purpose names the page it opens: questionnaire (spent by the answers), copy, aftercare.
    """
    db["patient_links"].insert({"token_hash": token_hash(token), "visit_id": visit["id"],
                                "purpose": purpose, "created_at": clock.iso(clock.now()),
                                "expires_at": clock.iso(expiry(purpose, visit, config)),
                                "failures": 0})


def by_hash(db, link_hash):
    """Return the link row with this token hash, or None."""
    return next(db["patient_links"].rows_where("token_hash = ?", [link_hash]), None)


def answered(db, row):
    """Tell whether a questionnaire link's visit already has its answers (any link)."""
    return row["purpose"] == "questionnaire" and bool(
        visits.get(db, row["visit_id"])["submission_id"])


def find(db, token):
    """Return the live link row for a token, or raise LinkRefused saying why not."""
    return usable(db, by_hash(db, token_hash(token)) if token else None)


def usable(db, row):
    """Return a link row that still opens, or raise LinkRefused saying why not."""
    if row is None:
        raise LinkRefused(N_("This link is not valid. Please ask the clinic for a new one."))
    if visits.get(db, row["visit_id"])["cancelled_at"]:
        raise LinkRefused(N_("This visit was cancelled. Please call the clinic to book again."))
    if row["locked_at"]:
        raise LinkRefused(N_("This link is locked after too many wrong dates of birth. "
                             "Please call the clinic for a new one."))
    if datetime.fromisoformat(row["expires_at"]) < clock.now():
        raise LinkRefused(N_("This link has expired. Please ask the clinic for a new one."))
    if row["used_at"] or answered(db, row):
        raise LinkRefused(N_("This questionnaire has already been sent. If something has "
                             "changed, tell the clinic when you arrive."))
    return row


def open_link(db, token, birth_date):
    """Open a link with the patient's date of birth; return (link, visit) or raise."""
    with immediate(db):
        row = find(db, token)
        visit = visits.get(db, row["visit_id"])
        if visits.birth_date_matches(visit, birth_date):
            return row, visit
        failures = row["failures"] + 1
        locked = clock.iso(clock.now()) if failures >= MAX_TRIES else None
        db["patient_links"].update(row["token_hash"], {"failures": failures,
                                                       "locked_at": locked})
    if locked:
        raise WrongBirthDate(N_("That date of birth does not match, and this link is now "
                                "locked. Please call the clinic for a new one."))
    raise WrongBirthDate(N_("That date of birth does not match. Tries left: %(left)s."),
                         left=MAX_TRIES - failures)


def live(db, link_hash):
    """Return a link opened earlier in this browser session if it still works, else None."""
    try:
        return usable(db, by_hash(db, link_hash) if link_hash else None)
    except LinkRefused:
        return None


class Spent(Exception):
    """The questionnaire link was spent by another request first."""


def spender(link_hash, visit_id):
    """Return a hook that spends a questionnaire link and links its visit to the submission.

    It runs inside the submission's transaction: a second submission for the same visit,
    through this link or another, undoes itself.
    """
    def spend(db, row):
        cursor = db.execute("update patient_links set used_at = ? where token_hash = ? and "
                            "used_at is null", [clock.iso(clock.now()), link_hash])
        if cursor.rowcount != 1 or not visits.answered(db, visit_id, row["id"]):
            raise Spent()
    return spend
