"""The waiting windows the rules know, as the first day each allows the treatment again."""
from datetime import date, timedelta

from ..kernel.clock import months_between, parse_date


def interval(answers, history, days):
    """Return (first day, why) after the latest session on any of today's areas, or None."""
    areas, found = set(answers.get("areas") or ()), []
    last = parse_date(answers.get("last_session_date"))
    if answers.get("had_previous_session") == "yes" and last and \
            areas & set(answers.get("last_session_areas") or ()):
        found.append((last + timedelta(days=days), "the last session on the same area"))
    found += [(date.fromisoformat(visit["date"]) + timedelta(days=days),
               "the clinic's last treatment of the same area")
              for visit in history if areas & set(visit["areas"])]
    return max(found, default=None)


def isotretinoin(answers, months):
    """Return (first day, why) the isotretinoin window allows, or None when it applies not."""
    stopped = parse_date(answers.get("isotretinoin_stopped_date"))
    if answers.get("isotretinoin") != "stopped" or not stopped:
        return None
    day = stopped + timedelta(days=28 * months)  # never later than the window's end
    while months_between(stopped, day) < months:
        day += timedelta(days=1)
    return day, "isotretinoin stopped"


def earliest(answers, history, parameters):
    """Return (first day, why) every waiting window allows, or None when none applies."""
    found = [window for window in (
        interval(answers, history, parameters["min_interval_days"]),
        isotretinoin(answers, parameters["isotretinoin_wait_months"])) if window]
    return max(found, default=None)
