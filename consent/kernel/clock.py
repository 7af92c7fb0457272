"""The one place that reads the clock, so tests can freeze it."""
import calendar
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo


def now():
    """Return the current time in UTC."""
    return datetime.now(timezone.utc)


def today(tz="Europe/London"):
    """Return today's date at the clinic."""
    return now().astimezone(ZoneInfo(tz)).date()


def iso(moment):
    """Format a UTC moment as an ISO 8601 string with seconds."""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


class MonthEnd(date):
    """The last day of a month a patient gave without a day: it reads and encodes as the month.

    Every comparison sees the last day, so a waiting window is never shortened; the record
    keeps what the patient said.
    """

    def isoformat(self):
        """Return the month alone, YYYY-MM."""
        return f"{self.year:04d}-{self.month:02d}"

    __str__ = isoformat


def full_stop(text):
    """End a sentence with one full stop: none added after a question mark or a full stop."""
    text = (text or "").rstrip()
    return text if not text or text[-1] in ".?!" else f"{text}."


def parse_date(text):
    """Parse an ISO date (a month alone, YYYY-MM, as its last day); None for empty input."""
    if text and len(text) == 7:  # the latest day it can mean: a window is never shortened
        year, month = map(int, text.split("-"))
        return date(year, month, calendar.monthrange(year, month)[1])
    return date.fromisoformat(text) if text else None


def years_between(earlier, later):
    """Count whole years from one date to a later one (an age)."""
    before_birthday = (later.month, later.day) < (earlier.month, earlier.day)
    return later.year - earlier.year - before_birthday


def months_between(earlier, later):
    """Count whole calendar months from one date to a later one."""
    return (later.year - earlier.year) * 12 + later.month - earlier.month - (later.day < earlier.day)


def spoken(text, tz="Europe/London"):
    """Say an ISO date or moment as a person reads it, at the clinic: "2 July 2026, 00:30 BST"."""
    if not text:
        return ""
    try:
        if len(text) == 7:  # a month alone: never a day the patient did not give
            return f"{parse_date(text):%B %Y}"
        if len(text) == 10:
            day = date.fromisoformat(text)
            return f"{day.day} {day:%B %Y}"
        moment = datetime.fromisoformat(text).astimezone(ZoneInfo(tz))
    except (TypeError, ValueError):
        return text
    return f"{moment.day} {moment:%B %Y, %H:%M %Z}"
