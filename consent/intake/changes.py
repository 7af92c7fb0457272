"""Changes since the last visit: answers that differ from the patient's previous submission."""
import json

from .display import show
from .questionnaire import medical_sections


def previous(db, submission):
    """Return the patient's submission made just before this one, or None."""
    # rowid, not created_at: two submissions can share a second
    return next(db["submissions"].rows_where(
        "name_key = ? and date_of_birth = ? and rowid < "
        "(select rowid from submissions where id = ?)",
        [submission["name_key"], submission["date_of_birth"], submission["id"]],
        order_by="rowid desc", limit=1), None)


def since_last_visit(db, submission):
    """Return (the previous submission's treatment date or None, {field: answer then})."""
    before = previous(db, submission)
    if before is None:
        return None, {}
    then, now = json.loads(before["answers"]), submission["answers"]
    # Health answers only: names, contact details and the signature differ by nature.
    return before["treatment_date"], {
        q.name: show(q.name, then.get(q.name)) for section in medical_sections()
        for q in section.questions if then.get(q.name) != now.get(q.name)}
