"""The clinic's vocabulary for a submission's state and a flag's weight."""
from enum import StrEnum


class Status(StrEnum):
    """Where a submission stands (stored as its value)."""

    NEEDS_REVIEW = "needs_review"  # a stop or review flag: a doctor decides
    AWAITING_CONSENT = "awaiting_consent"  # cleared or approved: a practitioner countersigns
    CONSENTED = "consented"  # countersigned: the consent is sealed before treatment
    TREATED = "treated"
    NOT_TREATED = "not_treated"
    DECLINED = "declined"
    DEFERRED = "deferred"  # not now: the doctor names a date after which to ask again
    LAPSED = "lapsed"  # never stored: awaiting or consented, and its treatment date is past
    # A doctor's decision and the rule set's verdict use these; records sealed before
    # countersigning existed keep them as their status.
    APPROVED = "approved"
    CLEARED = "cleared"


class Severity(StrEnum):
    """How much a flag weighs, heaviest first."""

    STOP = "stop"  # do not treat unless a doctor writes why
    REVIEW = "review"  # a doctor looks before treatment
    ADVICE = "advice"  # printed for the patient and practitioner; blocks nothing


SEVERITY_ORDER = {s.value: rank for rank, s in enumerate(Severity)}  # stop, review, advice


def by_severity(flags):
    """Order flags stop, review, advice; the rule set's order within each."""
    return sorted(flags, key=lambda flag: SEVERITY_ORDER[flag["severity"]])


# Statuses whose consent or eligibility record is sealed in the archive. (Cleared and
# approved records sealed before countersigning existed are all archived already.)
SEALED = (Status.CONSENTED, Status.TREATED, Status.NOT_TREATED, Status.DECLINED,
          Status.DEFERRED)
COUNTERSIGNED = (Status.CONSENTED, Status.TREATED, Status.NOT_TREATED)
ENDED = (Status.TREATED, Status.NOT_TREATED, Status.DECLINED, Status.DEFERRED)
LAPSES = (Status.AWAITING_CONSENT, Status.CONSENTED)
BLOCKING = (Severity.STOP, Severity.REVIEW)


def current(status, treatment_date, today):
    """Return the status as it stands today: lapsed once its treatment date is past."""
    if status in LAPSES and treatment_date < today.isoformat():
        return Status.LAPSED
    return Status(status)


class Refused(ValueError):
    """A step refused for what was entered (422); names the form field at fault."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


class Conflict(Exception):
    """A step the submission's state does not allow (answered 409, nothing changed)."""


def require(submission, wanted, today, step):
    """Refuse a step unless the submission stands at the wanted status today."""
    if submission is None:
        raise Conflict("This submission does not exist.")
    found = current(submission["status"], submission["treatment_date"], today)
    if found != wanted:
        raise Conflict(f"This submission is {found.replace('_', ' ')}: "
                       f"{step} is only possible when it is {wanted.replace('_', ' ')}.")
