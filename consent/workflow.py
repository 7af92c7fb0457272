"""A submission's life: stored first, judged by the rule set, decided, then sealed.

The policy is written here once: what the patient or the doctor sent is committed before
any PDF is made; a consent is finalised (rendered, sealed, archived) as soon as it is
decided; if that fails it stays stored, and `flask archive retry` finishes it later.
"""
import logging

from . import decisions, submissions
from .finalise import finalise
from .status import FINAL

log = logging.getLogger("consent.workflow")  # under the app's logger, "consent"


def finalise_now(db, config, submission_id):
    """Render, seal and archive a decided submission; return its archive entry."""
    return finalise(db, config, submission_id)


def settle(db, config, submission_id):
    """Finalise a decided submission now; tell whether it is archived (else retry later)."""
    try:
        finalise_now(db, config, submission_id)
    except Exception:  # noqa: BLE001 - what was sent is committed whatever failed here
        log.exception("Archiving failed for submission %s", submission_id)
        return False
    return True


def submit(db, config, ruleset, answers, signature_png, on, typed=False):
    """Store and judge a patient's answers; finalise at once if no doctor is needed."""
    row = submissions.submit(db, ruleset, answers, signature_png, on, typed)
    archived = settle(db, config, row["id"]) if row["status"] in FINAL else True
    return row, archived


def decide(db, config, submission_id, doctor, outcome, **details):
    """Record a doctor's decision, then finalise; tell whether the consent is archived."""
    decisions.decide(db, submission_id, doctor, outcome, **details)
    return settle(db, config, submission_id)
