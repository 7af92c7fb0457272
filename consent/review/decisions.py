"""Doctors' decisions on flagged submissions, checked against the clinic's policy."""
from ..intake import submissions, windows
from ..intake.catalogue import TREATMENTS, law_refusal, records_product
from ..intake.display import show
from ..kernel import audit, clock, ledger
from ..kernel.languages import N_
from ..kernel.status import Conflict, Refused, Severity, Status
from ..kernel.storage import immediate


class DecisionError(Refused):
    """A decision that cannot be recorded."""


def get(db, submission_id):
    """Return the doctor's decision on a submission, or None."""
    row = next(db["decisions"].rows_where("submission_id = ?", [submission_id]), None)
    return as_recorded(row) if row else None


# Decisions made before these existed had none of them.
OPTIONAL = ("deferred_until", "patient_advice", "excluded_areas", "max_depth_mm")
DEPTH = "needle_depth_mm"  # the record field a lower depth limits


def as_recorded(row):
    """Leave out what was never set, as decisions before these fields existed had none."""
    return {k: v for k, v in row.items() if not (k in OPTIONAL and v is None)}


def check_deferral(db, submission, note, deferred_until, parameters):
    """Require a reason, and a date after the treatment date and every waiting window."""
    if not deferred_until or deferred_until <= submission["treatment_date"]:
        raise DecisionError("deferred_until", "Choose a date after the treatment date.")
    window = parameters and windows.earliest(
        submission["answers"], submissions.clinic_history(db, submission["answers"]),
        parameters)
    if window and deferred_until < window[0].isoformat():
        raise DecisionError("deferred_until", "That day is inside a waiting window the rules "
                            f"know ({window[1]}): the earliest is "
                            f"{clock.spoken(window[0].isoformat())}.")
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
           batch="", deferred_until=None, patient_advice="", parameters=None,
           excluded_areas=(), max_depth_mm=None):
    """Record a doctor's decision and its audit row in one transaction.

    parameters are the rule set's, so a deferral respects the waiting windows it knows.
    """
    with immediate(db):
        submission = submissions.get(db, submission_id)
        check(submission, outcome, override_reason, product, batch)
        if outcome == Status.DEFERRED:
            check_deferral(db, submission, note, deferred_until, parameters)
        decision = {"submission_id": submission_id, "outcome": outcome, "doctor": doctor,
                    "note": note, "override_reason": override_reason, "product": product,
                    "batch": batch, "decided_at": clock.iso(clock.now())}
        if outcome == Status.DEFERRED:
            decision["deferred_until"] = deferred_until
        if patient_advice:  # the patient reads it with the flags' lines
            decision["patient_advice"] = patient_advice
        if excluded_areas or max_depth_mm is not None:
            check_changes(submission, outcome, excluded_areas, max_depth_mm)
            decision.update(excluded_areas=",".join(excluded_areas) or None,
                            max_depth_mm=max_depth_mm)
        db["decisions"].insert(decision)
        ledger.append(db, "decision", decision)
        # An approved patient still needs a practitioner's countersignature.
        db["submissions"].update(submission_id, {"status": Status.AWAITING_CONSENT
                                                 if outcome == Status.APPROVED else outcome})
        audit.append(db, "decision", doctor, submission_id, outcome)
    return decision


def for_patient(submission, decision, words=str):
    """Return what the flags mean for this patient: the doctor's words first, then each line.

    words translates the rule set's lines; the doctor's own advice stays as they wrote it.
    """
    advice = decision and decision.get("patient_advice")
    lines = [words(N_("Your doctor's advice: %(advice)s")) % {"advice": advice}] if advice else []
    return lines + [words(f["aftercare"]) for f in submission["evaluation"]["flags"]
                    if f.get("aftercare")]


def check_changes(submission, outcome, excluded_areas, max_depth_mm):
    """Refuse changes that leave nothing to treat, or limit a depth the record never takes."""
    areas = submission["answers"]["areas"]
    if outcome != Status.APPROVED:
        raise DecisionError("outcome", "Changes go with an approval: approve with changes.")
    if not set(excluded_areas) <= set(areas) or set(areas) <= set(excluded_areas):
        raise DecisionError("excluded_areas", "Leave out some of the patient's areas, not all: "
                            "to treat none, decline.")
    if max_depth_mm is not None:
        fields = TREATMENTS[submission["treatment"]].record if submission["treatment"] in \
            TREATMENTS else ()
        depth = next((f for f in fields if f.name == DEPTH), None)
        if depth is None:
            raise DecisionError("max_depth_mm", "This treatment records no needle depth.")
        if not depth.min <= max_depth_mm < depth.max:
            raise DecisionError("max_depth_mm", f"Set a depth from {depth.min:g} mm and below "
                                f"the device's {depth.max:g} mm.")


def limits(decision):
    """Return (areas left out, deepest needle depth allowed) a decision set, or ([], None)."""
    if not decision:
        return [], None
    return (decision.get("excluded_areas") or "").split(",") if decision.get(
        "excluded_areas") else [], decision.get("max_depth_mm")


def changes_said(decision):
    """Say a decision's changes as staff and the record read them, or ""."""
    left_out, depth = limits(decision)
    said = ([f"not on the {show('areas', left_out).lower()}"] if left_out else []) + \
        ([f"needle depth at most {depth:g} mm"] if depth is not None else [])
    return "; ".join(said)
