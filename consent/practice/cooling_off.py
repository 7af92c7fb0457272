"""Cooling-off: time to reflect between reading the information and the countersignature.

The period runs from when the patient first had the information: the first opening of
their pre-visit link, or, at the tablet, the moment they signed. Only a doctor may
countersign before it ends, and only with a written reason, which the sealed PDF prints.
"""
from datetime import datetime, timedelta

from ..intake.catalogue import TREATMENTS
from ..kernel import clock
from ..kernel.status import Refused


def hours(config, treatment):
    """Return a treatment's cooling-off hours: the clinic's override, else the catalogue's."""
    overrides = config.get("COOLING_OFF_HOURS") or {}
    if treatment in overrides:
        return int(overrides[treatment])
    return TREATMENTS[treatment].cooling_off_hours  # every treatment declares one


def started(submission, visit):
    """Return when the patient first had the information (ISO)."""
    if visit and visit["opened_at"]:
        return min(visit["opened_at"], submission["signed_at"])
    return submission["signed_at"]


def ends(config, submission, visit):
    """Return when the cooling-off period ends, as a UTC moment."""
    return datetime.fromisoformat(started(submission, visit)) + \
        timedelta(hours=hours(config, submission["treatment"]))


def running(config, submission, visit):
    """Tell whether the treatment has a period and it has not ended yet."""
    return bool(hours(config, submission["treatment"])) and \
        clock.now() < ends(config, submission, visit)


def until(config, submission, visit):
    """Return when treatment may start, spoken in the clinic's zone, while a period runs."""
    if not running(config, submission, visit):
        return None
    return clock.spoken(clock.iso(ends(config, submission, visit)), config["CLINIC_TIMEZONE"])


def check(config, submission, visit, is_doctor, reason):
    """Refuse a countersignature inside the period unless a doctor writes why; return reason."""
    if not (when := until(config, submission, visit)):
        return None
    if not is_doctor:
        raise Refused("cooling_off_reason", f"The cooling-off period runs until {when}. "
                                            "Only a doctor can countersign before then.")
    if not (reason or "").strip():
        raise Refused("cooling_off_reason", f"The cooling-off period runs until {when}. "
                                            "Write why treatment cannot wait.")
    return reason.strip()


def summary(config, submission, visit):
    """Describe the timeline the consent PDF prints: sent, opened, signed, period."""
    return {"sent": visit["information_sent_at"] if visit else None,
            "opened": visit["opened_at"] if visit else None,
            "signed": submission["signed_at"],
            "hours": hours(config, submission["treatment"]),
            "ends": clock.iso(ends(config, submission, visit)),
            "running": running(config, submission, visit),
            "confirmed_unchanged": visit["arrival_confirmed_at"] if visit else None}
