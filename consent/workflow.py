"""A submission's life: stored and judged, decided, countersigned, treated; each record sealed.

The policy is written here once: what the patient, the doctor or the practitioner sent is
committed before any PDF is made. The patient's submit only stores and judges, so a cleared
and a flagged patient are answered alike. A record is finalised (rendered, sealed, archived)
when it is complete: an eligibility decision when a doctor declines or defers, a consent
when a practitioner countersigns, a treatment record when it is written. If that fails the
rows stay committed, and `flask archive retry` finishes the PDF later.
"""
import logging

from .evidence import documents
from .evidence.finalise import finalise
from .intake import submissions
from .kernel.languages import CLINIC
from .kernel.status import Status
from .practice import consents, cooling_off, treatments
from .review import decisions
from .staff import accounts
from .visits import visits

log = logging.getLogger("consent.workflow")  # under the app's logger, "consent"


def finalise_now(db, config, document_id):
    """Render, seal and archive a document; return its archive entry."""
    return finalise(db, config, document_id)


def settle(db, config, document_id):
    """Finalise a document now; tell whether it is archived (else retry later)."""
    try:
        finalise_now(db, config, document_id)
    except Exception:  # noqa: BLE001 - what was sent is committed whatever failed here
        log.exception("Archiving failed for document %s", document_id)
        return False
    return True


def submit(db, ruleset, answers, signature_png, on, typed=False, guardian=None, within=None,
           phone="", language=CLINIC):
    """Store and judge a patient's answers; nothing is sealed until a clinician acts."""
    return submissions.submit(db, ruleset, answers, signature_png, on, typed, guardian, within,
                              phone, language)


def decide(db, config, submission_id, doctor, outcome, **details):
    """Record a doctor's decision; seal it if it ends the visit. Tell whether archived."""
    decisions.decide(db, submission_id, doctor, outcome, **details)
    if outcome == Status.APPROVED:
        return True  # nothing to seal yet: the practitioner countersigns next
    return settle(db, config, submission_id)


def countersign(db, config, submission_id, practitioner, today, signed_with, **confirmed):
    """Record the practitioner's countersignature, then seal the consent before treatment.

    Inside the cooling-off period only a doctor may, with a reason (cooling_off_reason).
    """
    submission = submissions.get(db, submission_id)
    if submission is not None:
        cooling_off.check(config, submission, visits.for_submission(db, submission_id),
                          accounts.is_doctor(db, practitioner),
                          confirmed.get("cooling_off_reason"))
    consents.countersign(db, submission_id, practitioner, today, signed_with, **confirmed)
    return settle(db, config, submission_id)


def record_treatment(db, config, submission_id, practitioner, today, outcome, details,
                     reason=""):
    """Record what was done (or why not), then seal the treatment record."""
    treatments.record(db, submission_id, practitioner, today, outcome, details, reason,
                      config["CLINIC_TIMEZONE"])
    return settle(db, config, documents.treatment_id(submission_id))
