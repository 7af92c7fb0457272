"""The clinic's vocabulary for a submission's state and a flag's weight."""
from enum import StrEnum


class Status(StrEnum):
    """Where a submission stands (stored as its value)."""

    CLEARED = "cleared"  # the rule set found nothing a doctor must see
    NEEDS_REVIEW = "needs_review"  # a stop or review flag: a doctor decides
    APPROVED = "approved"
    DECLINED = "declined"
    DEFERRED = "deferred"  # not now: the doctor names a date after which to ask again


class Severity(StrEnum):
    """How much a flag weighs, heaviest first."""

    STOP = "stop"  # do not treat unless a doctor writes why
    REVIEW = "review"  # a doctor looks before treatment
    ADVICE = "advice"  # printed for the patient and practitioner; blocks nothing


SEVERITY_ORDER = {s.value: rank for rank, s in enumerate(Severity)}  # stop, review, advice


def by_severity(flags):
    """Order flags stop, review, advice; the rule set's order within each."""
    return sorted(flags, key=lambda flag: SEVERITY_ORDER[flag["severity"]])


FINAL = (Status.CLEARED, Status.APPROVED, Status.DECLINED, Status.DEFERRED)  # ready to seal
BLOCKING = (Severity.STOP, Severity.REVIEW)
