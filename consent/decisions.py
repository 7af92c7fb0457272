"""Doctors' decisions on flagged submissions, checked against the clinic's policy."""
from . import audit, clock, ledger, submissions
from .status import Severity, Status
from .storage import immediate

MESOTHERAPY = ("mesotherapy_needling", "mesotherapy_injection")


class DecisionError(ValueError):
    """A decision that cannot be recorded; names the form field at fault."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def get(db, submission_id):
    """Return the doctor's decision on a submission, or None."""
    return next(db["decisions"].rows_where("submission_id = ?", [submission_id]), None)


def check(submission, outcome, override_reason, product, batch):
    """Refuse a decision the clinic's policy does not allow."""
    if submission is None:
        raise DecisionError("outcome", "This submission does not exist.")
    if submission["status"] != Status.NEEDS_REVIEW:
        raise DecisionError("outcome", "A decision has already been recorded.")
    if outcome != Status.APPROVED:
        return
    stops = any(f["severity"] == Severity.STOP for f in submission["evaluation"]["flags"])
    if stops and not override_reason:
        raise DecisionError("override_reason",
                            "A stop flag fired: write the reason for treating anyway.")
    if submission["treatment"] in MESOTHERAPY and not (product and batch):
        raise DecisionError("product" if not product else "batch",
                            "Record the product name and its batch or lot number.")


def decide(db, submission_id, doctor, outcome, note="", override_reason="", product="",
           batch=""):
    """Record a doctor's decision and its audit row in one transaction."""
    with immediate(db):
        check(submissions.get(db, submission_id), outcome, override_reason, product, batch)
        decision = {"submission_id": submission_id, "outcome": outcome, "doctor": doctor,
                    "note": note, "override_reason": override_reason, "product": product,
                    "batch": batch, "decided_at": clock.iso(clock.now())}
        db["decisions"].insert(decision)
        ledger.append(db, "decision", decision)
        db["submissions"].update(submission_id, {"status": outcome})
        audit.append(db, "decision", doctor, submission_id, outcome)
    return decision
