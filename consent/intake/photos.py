"""The patient's photo permissions: given on the questionnaire, withdrawable at any time."""
from ..kernel import audit, clock
from ..kernel.storage import immediate
from .questionnaire import PERMISSIONS, QUESTIONS


def withdrawn(db, submission_id):
    """Return when each withdrawn permission was withdrawn, by its question's name."""
    return {row["permission"]: row["withdrawn_at"] for row in db["photo_withdrawals"].rows_where(
        "submission_id = ?", [submission_id], order_by="id")}


def standing(db, submission):
    """List the permissions the patient gave, each with when it was withdrawn, or None."""
    gone = withdrawn(db, submission["id"])
    return [{"name": name, "label": QUESTIONS[name].label, "withdrawn_at": gone.get(name)}
            for name in PERMISSIONS if submission["answers"].get(name) == "yes"]


def withdraw(db, submission, names):
    """Withdraw these of the patient's permissions (UK GDPR art. 7(3)); return those withdrawn."""
    with immediate(db):
        open_ = {p["name"] for p in standing(db, submission) if not p["withdrawn_at"]}
        done = [name for name in PERMISSIONS if name in set(names) & open_]
        for name in done:
            db["photo_withdrawals"].insert({"submission_id": submission["id"], "permission": name,
                                            "withdrawn_at": clock.iso(clock.now())})
        if done:
            audit.append(db, "photo_permission_withdrawn", "patient", submission["id"],
                         "the patient withdrew " + ", ".join(done) + " through their link")
    return done
