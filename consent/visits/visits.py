"""Visits booked by reception: who is coming, when, for what, and how to reach them."""
import json
import secrets
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from ..intake import windows
from ..intake.catalogue import TREATMENTS
from ..kernel import clock
from ..kernel.languages import CLINIC
from ..kernel.names import name_key
from ..kernel.status import Refused
from ..kernel.storage import immediate


class VisitError(Refused):
    """A visit that cannot be booked as entered."""


def check(details, today):
    """Refuse a booking that names no way to reach the patient or a date already past."""
    if not (details.get("email") or details.get("phone")):
        raise VisitError("email", "Give an e-mail address or a phone number.")
    if details["treatment_date"] < today:
        raise VisitError("visit_date", "The treatment date has passed.")
    if details["date_of_birth"] >= today:
        raise VisitError("date_of_birth", "The date of birth must be in the past.")
    if details["treatment"] not in TREATMENTS:
        raise VisitError("treatment", "Choose a treatment.")


def check_windows(db, details, notice_hours, parameters, tz):
    """Refuse a booking inside a waiting window, naming the earliest day it allows.

    The cooling-off period runs from now at the soonest (the patient has not read the
    information yet); the isotretinoin window from what this patient last told the clinic.
    """
    day, at = details["treatment_date"], details.get("visit_time")
    soonest = (clock.now() + timedelta(hours=notice_hours)).astimezone(ZoneInfo(tz))
    booked = datetime.combine(day, time.fromisoformat(at), ZoneInfo(tz)) if at else None
    if notice_hours and (booked < soonest if booked else day < soonest.date()):
        raise VisitError("visit_date", f"This treatment needs {notice_hours} hours to reflect "
                         "after the patient reads about it: the earliest is "
                         f"{clock.spoken(clock.iso(soonest), tz)}.")
    window = windows.isotretinoin(last_answers(db, details),
                                  parameters["isotretinoin_wait_months"])
    if window and day < window[0]:
        raise VisitError("visit_date", f"Inside a waiting window ({window[1]}, as the patient "
                         f"told the clinic): the earliest is "
                         f"{clock.spoken(window[0].isoformat(), tz)}.")


def last_answers(db, details):
    """Return what this patient last answered at the clinic, or {}."""
    row = next(db["submissions"].rows_where(
        "name_key = ? and date_of_birth = ?",
        [name_key(details["first_name"], details["last_name"]),
         details["date_of_birth"].isoformat()], order_by="created_at desc", limit=1), None)
    return json.loads(row["answers"]) if row else {}


def spoken_when(visit, language=CLINIC):
    """Say a visit's day and time as a patient reads them (Wednesday 2 December 2026 at 10:30)."""
    day = date.fromisoformat(visit["treatment_date"])
    if language != CLINIC:  # the locale's own full date, then the time as booked
        when = format_date(day, "full", locale=language)
        return f"{when}, {visit['visit_time']}" if visit.get("visit_time") else when
    when = f"{day:%A} {day.day} {day:%B %Y}"
    return f"{when} at {visit['visit_time']}" if visit.get("visit_time") else when


def update(db, visit, details, today):
    """Change a booking; once the patient has answered, only its day and time."""
    check(details, today)
    changes = {**details, "date_of_birth": details["date_of_birth"].isoformat(),
               "treatment_date": details["treatment_date"].isoformat()}
    if visit["submission_id"]:
        fixed = [name for name in ("first_name", "last_name", "date_of_birth", "treatment")
                 if changes[name] != visit[name]]
        if fixed:
            raise VisitError(fixed[0], "The patient has answered already: only the day and "
                                       "time of this visit can change.")
    db["visits"].update(visit["id"], changes)
    return {**visit, **changes}


def cancel(db, visit_id):
    """Cancel a visit: its links stop opening; True when it was not cancelled before."""
    return db.execute("update visits set cancelled_at = ? where id = ? and cancelled_at is "
                      "null", [clock.iso(clock.now()), visit_id]).rowcount == 1


def create(db, details, created_by, today):
    """Book a visit; details hold names, date of birth, contact, treatment and its date."""
    check(details, today)
    row = {"id": secrets.token_urlsafe(12), "created_by": created_by,
           "created_at": clock.iso(clock.now()), **details,
           "date_of_birth": details["date_of_birth"].isoformat(),
           "treatment_date": details["treatment_date"].isoformat()}
    db["visits"].insert(row)
    return row


def walk_in(db, submission):
    """Record the visit of a patient who answered at the tablet, so links can reach them."""
    answers = submission["answers"]
    row = {"id": secrets.token_urlsafe(12), "created_by": "tablet",
           "created_at": clock.iso(clock.now()), "submission_id": submission["id"],
           "treatment_date": submission["treatment_date"], "language": submission.get("language"),
           **{name: answers.get(name) or None for name in (
               "first_name", "last_name", "date_of_birth", "email", "phone", "treatment")}}
    db["visits"].insert(row)
    return row


def get(db, visit_id):
    """Return one visit, or None."""
    return next(db["visits"].rows_where("id = ?", [visit_id]), None)


def for_submission(db, submission_id):
    """Return the visit a submission was answered for, or None (a walk-in at the tablet)."""
    return next(db["visits"].rows_where("submission_id = ?", [submission_id]), None)


def day(db, on):
    """List a day's visits with their submission's status, in booking order."""
    return list(db.query(
        "select v.id, v.first_name, v.last_name, v.treatment, v.email, v.phone, "
        "v.visit_time, v.cancelled_at, v.information_sent_at, v.opened_at, v.submission_id, "
        "s.status, (select count(*) from outbox o where o.visit_id = v.id and o.sent_at is "
        "null) as queued from visits v left join submissions s on s.id = v.submission_id "
        "where v.treatment_date = ? order by v.visit_time is null, v.visit_time, v.created_at",
        [on.isoformat()]))


def note(db, visit_id, column):
    """Record the first time something happened to a visit (information sent, opened)."""
    with immediate(db):
        db.execute(f"update visits set {column} = ? where id = ? and {column} is null",
                   [clock.iso(clock.now()), visit_id])


def answered(db, visit_id, submission_id):
    """Link a visit to the submission sent from home; False if it already has one."""
    return db.execute("update visits set submission_id = ? where id = ? and submission_id "
                      "is null", [submission_id, visit_id]).rowcount == 1


def birth_date_matches(visit, typed):
    """Tell whether a typed date of birth is the one reception recorded."""
    return isinstance(typed, date) and typed.isoformat() == visit["date_of_birth"]
