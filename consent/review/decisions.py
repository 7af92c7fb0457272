"""Doctors' decisions on flagged submissions, checked against the clinic's policy."""
from ..intake import submissions
from ..intake.catalogue import law_refusal, records_product
from ..kernel import audit, clock, ledger
from ..kernel.status import Conflict, Refused, Severity, Status
from ..kernel.storage import immediate


class DecisionError(Refused):
    """A decision that cannot be recorded."""


def get(db, submission_id):
    """Return the doctor's decision on a submission, or None."""
    row = next(db["decisions"].rows_where("submission_id = ?", [submission_id]), None)
    return as_recorded(row) if row else None


def as_recorded(row):
    """Leave out a deferral date that was never set, as decisions before deferrals had none."""
    return {k: v for k, v in row.items() if not (k == "deferred_until" and v is None)}


def check_deferral(submission, note, deferred_until):
    """Require a reason and a date after the treatment date to defer."""
    if not deferred_until or deferred_until <= submission["treatment_date"]:
        raise DecisionError("deferred_until", "Choose a date after the treatment date.")
    if not note:
        raise DecisionError("note", "Write why the treatment is deferred.")


def check(submission, outcome, override_reason, product, batch):
    """Refuse a decision the clinic's policy does not allow."""
    if submission is None:
        raise DecisionError("outcome", "This submission does not exist.")
    if submission["status"] != Status.NEEDS_REVIEW:
        raise Conflict("A decision has already been recorded for this submission.")
    if outcome != Status.APPROVED:
        return
    if refusal := law_refusal(submission):  # no override, waiver or role reaches past it
        raise DecisionError("outcome", refusal + " Decline, or defer past their birthday.")
    stops = any(f["severity"] == Severity.STOP for f in submission["evaluation"]["flags"])
    if stops and not override_reason:
        raise DecisionError("override_reason",
                            "A stop flag fired: write the reason for treating anyway.")
    if records_product(submission["treatment"]) and not (product and batch):
        raise DecisionError("product" if not product else "batch",
                            "Record the product name and its batch or lot number.")


def decide(db, submission_id, doctor, outcome, note="", override_reason="", product="",
           batch="", deferred_until=None):
    """Record a doctor's decision and its audit row in one transaction."""
    with immediate(db):
        submission = submissions.get(db, submission_id)
        check(submission, outcome, override_reason, product, batch)
        if outcome == Status.DEFERRED:
            check_deferral(submission, note, deferred_until)
        decision = {"submission_id": submission_id, "outcome": outcome, "doctor": doctor,
                    "note": note, "override_reason": override_reason, "product": product,
                    "batch": batch, "decided_at": clock.iso(clock.now())}
        if outcome == Status.DEFERRED:
            decision["deferred_until"] = deferred_until
        db["decisions"].insert(decision)
        ledger.append(db, "decision", decision)
        # An approved patient still needs a practitioner's countersignature.
        db["submissions"].update(submission_id, {"status": Status.AWAITING_CONSENT
                                                 if outcome == Status.APPROVED else outcome})
        audit.append(db, "decision", doctor, submission_id, outcome)
    return decision
