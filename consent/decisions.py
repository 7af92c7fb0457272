"""Doctors' work: the review queue, search, earlier consents and decisions."""
import json
from collections import Counter

from . import audit, clock, submissions
from .db import immediate
from .names import name_key

SUMMARY = "id, created_at, first_name, last_name, date_of_birth, treatment, treatment_date, " \
          "status, answers, evaluation"
MESOTHERAPY = ("mesotherapy_needling", "mesotherapy_injection")


class DecisionError(ValueError):
    """A decision that cannot be recorded; names the form field at fault."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field


def get(db, submission_id):
    """Return the doctor's decision on a submission, or None."""
    return next(db["decisions"].rows_where("submission_id = ?", [submission_id]), None)


def summarise(row, today):
    """Reduce a submission row to what a queue line shows."""
    answers, evaluation = json.loads(row["answers"]), json.loads(row["evaluation"])
    born = clock.parse_date(row["date_of_birth"])
    counts = Counter(flag["severity"] for flag in evaluation["flags"])
    return {**{k: row[k] for k in ("id", "first_name", "last_name", "date_of_birth",
                                   "treatment", "treatment_date", "status", "created_at")},
            "age": clock.years_between(born, today), "areas": answers["areas"],
            "counts": {s: counts.get(s, 0) for s in ("stop", "review", "advice")}}


def queue(db, today):
    """List flagged submissions oldest first, then today's other consents."""
    waiting = db["submissions"].rows_where("status = ?", ["needs_review"], select=SUMMARY,
                                           order_by="created_at")
    done = db["submissions"].rows_where("treatment_date = ? and status != ?",
                                        [today.isoformat(), "needs_review"], select=SUMMARY,
                                        order_by="created_at desc")
    return [summarise(row, today) for rows in (waiting, done) for row in rows]


def search(db, today, name="", date_of_birth=None, treatment_date=None, limit=100):
    """Find submissions by part of a name, a date of birth and/or a treatment date."""
    where, args = [], []
    words = name_key(name, "").split()
    if words:  # each word a quoted prefix: "lovel" finds Lovelace, and quotes stop FTS syntax
        where.append("rowid in (select rowid from submissions_fts where submissions_fts match ?)")
        args.append(" ".join('"{}"*'.format(w.replace('"', '""')) for w in words))
    for column, value in (("date_of_birth", date_of_birth), ("treatment_date", treatment_date)):
        if value:
            where.append(f"{column} = ?")
            args.append(value.isoformat())
    rows = db["submissions"].rows_where(" and ".join(where) or None, args or None,
                                        select=SUMMARY, order_by="created_at desc", limit=limit)
    return [summarise(row, today) for row in rows]


def earlier_consents(db, submission):
    """List the patient's other consents at this clinic with their decisions."""
    rows = db.query(
        "select s.id, s.treatment_date, s.status, s.answers, d.outcome, d.doctor "
        "from submissions s left join decisions d on d.submission_id = s.id "
        "where s.name_key = ? and s.date_of_birth = ? and s.id != ? "
        "order by s.treatment_date desc",
        [submission["name_key"], submission["date_of_birth"], submission["id"]])
    return [{**row, "areas": json.loads(row.pop("answers"))["areas"]} for row in rows]


def check(submission, outcome, override_reason, product, batch):
    """Refuse a decision the clinic's policy does not allow."""
    if submission is None:
        raise DecisionError("outcome", "This submission does not exist.")
    if submission["status"] != "needs_review":
        raise DecisionError("outcome", "A decision has already been recorded.")
    if outcome != "approved":
        return
    stops = any(f["severity"] == "stop" for f in submission["evaluation"]["flags"])
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
        db["submissions"].update(submission_id, {"status": outcome})
        audit.append(db, "decision", doctor, submission_id, outcome)
    return decision
