"""A practitioner's countersignature: consent taken in person, sealed before treatment."""
from ..intake import submissions
from ..intake.catalogue import law_refusal
from ..kernel import audit, clock, ledger
from ..kernel.status import Refused, Status, require
from ..kernel.storage import immediate

MEANING = "I discussed this treatment with the patient and obtained their consent."
INTERPRETER = ("none", "used")  # whether an interpreter was used; a name when one was


class ConsentError(Refused):
    """A countersignature that cannot be recorded."""


def get(db, submission_id):
    """Return a submission's countersignature, or None."""
    return next(db["consents"].rows_where("submission_id = ?", [submission_id]), None)


def check(submission, identity_checked, discussed, answer, guardian_checked=False,
          capacity_confirmed=False, interpreter=None, interpreter_name=""):
    """Refuse a countersignature the law forbids, or one that leaves out what it needs."""
    if refusal := law_refusal(submission):
        raise ConsentError("identity_checked", refusal)
    if not identity_checked:
        raise ConsentError("identity_checked", "Confirm that you checked the patient's identity.")
    if submission["answers"].get("guardian_name") and not guardian_checked:
        raise ConsentError("guardian_checked", "Confirm that you checked the guardian's "
                                               "identity and parental responsibility.")
    if not discussed:
        raise ConsentError("discussed", "Confirm that you discussed risks, benefits and "
                                        "alternatives with the patient.")
    if not capacity_confirmed:
        raise ConsentError("capacity_confirmed", "Confirm that the patient has capacity to "
                                                 "decide and consents voluntarily.")
    if interpreter not in INTERPRETER:
        raise ConsentError("interpreter", "Say whether an interpreter was used.")
    if interpreter == "used" and not interpreter_name:
        raise ConsentError("interpreter_name", "Give the interpreter's name.")
    if submission["answers"].get("questions_for_doctor") and not answer:
        raise ConsentError("answer_to_questions", "Write your answer to the patient's question.")


def countersign(db, submission_id, practitioner, today, signed_with, identity_checked=False,
                discussed=False, answer="", cooling_off_reason=None, guardian_checked=False,
                capacity_confirmed=False, interpreter=None, interpreter_name=""):
    """Record the practitioner's countersignature; the submission becomes consented.

    cooling_off_reason: a doctor's (the signer's) reason for not waiting out the period.
    """
    with immediate(db):
        submission = submissions.get(db, submission_id)
        require(submission, Status.AWAITING_CONSENT, today, "countersigning")
        check(submission, identity_checked, discussed, answer, guardian_checked,
              capacity_confirmed, interpreter, interpreter_name)
        row = {"submission_id": submission_id, "practitioner": practitioner,
               "countersigned_at": clock.iso(clock.now()), "identity_checked": 1,
               "discussed": 1, "answer_to_questions": answer, "signed_with": signed_with,
               "capacity_confirmed": 1,  # the interpreter's name, or "" when none was needed
               "interpreter": interpreter_name if interpreter == "used" else ""}
        if submission["answers"].get("guardian_name"):  # a minor: the guardian consents
            row["guardian_checked"] = 1
        if cooling_off_reason:
            row.update(cooling_off_waived_by=practitioner, cooling_off_reason=cooling_off_reason)
        db["consents"].insert(row)
        ledger.append(db, "consent", row)
        db["submissions"].update(submission_id, {"status": Status.CONSENTED})
        audit.append(db, "countersigned", practitioner, submission_id)
        if cooling_off_reason:
            audit.append(db, "cooling_off_waived", practitioner, submission_id)
    return row
