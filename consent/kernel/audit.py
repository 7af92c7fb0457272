"""The audit log of what staff do: append-only, hash-chained, no answer values."""
from . import chain, clock

ACTIONS = {"login", "login_failed", "login_throttled", "logout", "submission_viewed",
           "decision", "pdf_downloaded", "export", "kiosk_enrolled", "kiosk_revoked",
           "user_changed", "mfa_enrolled", "mfa_reset", "search", "retention_purge",
           "fhir_downloaded", "fhir_export", "countersigned", "treatment_recorded",
           "pin_set", "history_viewed", "visit_created", "visit_changed", "visit_cancelled",
           "link_sent", "patient_copy_downloaded", "photo_permission_withdrawn", "patient_copy_printed", "aftercare_printed",
           "cooling_off_waived", "reaction_seen", "certificates_reissued"}


def append(db, action, username=None, submission_id=None, detail=""):
    """Add an audit row; the caller holds the write lock."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    return chain.append(db, "audit", {"at": clock.iso(clock.now()), "username": username,
                                      "action": action, "submission_id": submission_id,
                                      "detail": detail})


def problems(db):
    """List each edited or missing audit row as a line naming it."""
    return [f"audit row {row['seq']}: {problem}" for row, problem in chain.problems(db, "audit")]
