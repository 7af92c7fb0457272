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
        if len(text) == 10:
            day = date.fromisoformat(text)
            return f"{day.day} {day:%B %Y}"
        moment = datetime.fromisoformat(text).astimezone(ZoneInfo(tz))
    except (TypeError, ValueError):
        return text
    return f"{moment.day} {moment:%B %Y, %H:%M %Z}"
