"""The sealed documents of a submission and the JSON record each one carries.

A submission has one consent record (or eligibility decision), archived under its id, and
once treated or not, one treatment record, archived under its id with TREATMENT appended.
"""
import hashlib

from ..kernel.status import Status

TREATMENT = ".treatment"  # "." never occurs in a submission id (URL-safe base64)
CONSENT_PARTS = ("submission", "answers", "evaluation", "decision", "consent")
TREATMENT_PARTS = ("submission", "treatment", "consent")


def treatment_id(submission_id):
    """Return the document id of a submission's treatment record."""
    return submission_id + TREATMENT


def submission_of(document_id):
    """Return the submission a document belongs to."""
    return document_id.removesuffix(TREATMENT)


def is_treatment(document_id):
    """Tell whether a document id names a treatment record."""
    return document_id.endswith(TREATMENT)


OPTIONAL_CONSENT_FIELDS = ("cooling_off_waived_by", "cooling_off_reason", "guardian_checked",
                           "capacity_confirmed", "interpreter")


def consent_record(submission, decision, consent, witnesses=None):
    """Return the JSON record embedded in a consent (or eligibility decision) PDF.

    witnesses is the archive's newest entry when this record was sealed, so every sealed
    PDF vouches for the chain before it. The status is the one at sealing: a consent is
    sealed when countersigned, and stays "consented" in its record whatever follows.
    """
    keys = ("id", "created_at", "treatment_date", "status", "signed_at", "information_sha256")
    part = {k: submission[k] for k in keys}
    if consent:
        part["status"] = Status.CONSENTED.value
    if submission.get("signature_kind", "drawn") != "drawn":  # drawn records stay as before
        part["signature_kind"] = submission["signature_kind"]
    if submission.get("edition", "1") != "1":  # edition 1 records stay as they were sealed
        part["edition"] = submission["edition"]
    if submission.get("language"):  # read in the patient's language; others stay as sealed
        part.update({k: submission[k] for k in ("language", "language_status",
                                                "translation_sha256")})
    if submission.get("guardian_signature_kind"):
        part["guardian_signature_kind"] = submission["guardian_signature_kind"]
    if submission.get("guardian_signature"):
        part["guardian_signature_sha256"] = hashlib.sha256(
            submission["guardian_signature"]).hexdigest()
    record = {"submission": part, "answers": submission["answers"],
              "evaluation": submission["evaluation"], "decision": decision,
              "witnesses": witnesses}
    if consent:  # records sealed before countersigning existed have no such part
        # A waiver, or a guardian's check, is recorded only when there was one, so
        # records sealed before those fields existed still match their rows.
        record["consent"] = {k: v for k, v in consent.items() if k != "submission_id" and
                             not (k in OPTIONAL_CONSENT_FIELDS and v is None)}
    return record


def treatment_record(submission_id, treatment, consent_sha256, witnesses=None):
    """Return the JSON record embedded in a treatment PDF, linked to its consent by hash."""
    return {"submission": {"id": treatment_id(submission_id)},
            "treatment": {k: treatment[k] for k in ("outcome", "practitioner", "recorded_at",
                                                    "details", "reason")},
            "consent": {"id": submission_id, "sha256": consent_sha256},
            "witnesses": witnesses}


def parts(document_id, record):
    """Return the parts of a record that must match the rows (not what it witnessed)."""
    names = TREATMENT_PARTS if is_treatment(document_id) else CONSENT_PARTS
    return {part: record.get(part) for part in names}
