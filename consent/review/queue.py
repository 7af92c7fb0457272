"""What doctors look through: the review queue, search, and a patient's earlier consents."""
import json
from collections import Counter
from datetime import timedelta

from ..intake.submissions import treated_areas
from ..kernel import clock
from ..kernel.names import name_key
from ..kernel.status import Severity, Status, current

# Who a patient waits on, and for what.
WAITING_ON = {Status.NEEDS_REVIEW: "doctor: review",
              Status.AWAITING_CONSENT: "practitioner: consent",
              Status.CONSENTED: "practitioner: treatment record"}
SUMMARY = "id, created_at, first_name, last_name, date_of_birth, treatment, treatment_date, " \
          "status, answers, evaluation, signed_at"


def summarise(row, today):
    """Reduce a submission row to what a queue line shows."""
    answers, evaluation = json.loads(row["answers"]), json.loads(row["evaluation"])
    born = clock.parse_date(row["date_of_birth"])
    counts = Counter(flag["severity"] for flag in evaluation["flags"])
    return {**{k: row[k] for k in ("id", "first_name", "last_name", "date_of_birth",
                                   "treatment", "treatment_date", "status", "created_at",
                                   "signed_at")},
            "age": clock.years_between(born, today), "areas": answers["areas"],
            "counts": {s.value: counts.get(s, 0) for s in Severity}}


def queue(db, today):
    """List flagged submissions oldest first, then today's other consents."""
    waiting = db["submissions"].rows_where("status = ?", [Status.NEEDS_REVIEW], select=SUMMARY,
                                           order_by="created_at")
    done = db["submissions"].rows_where("treatment_date = ? and status != ?",
                                        [today.isoformat(), Status.NEEDS_REVIEW], select=SUMMARY,
                                        order_by="created_at desc")
    return [summarise(row, today) for rows in (waiting, done) for row in rows]


def today(db, day):
    """List the day's patients: waiting for a doctor first, then by flags, then arrival."""
    rows = [summarise(row, day) for row in db["submissions"].rows_where(
        "treatment_date = ?", [day.isoformat()], select=SUMMARY, order_by="created_at")]
    for row in rows:
        row["status"] = current(row["status"], row["treatment_date"], day)
        row["waiting_on"] = WAITING_ON.get(row["status"], "nobody")
    return sorted(rows, key=lambda r: (r["status"] != Status.NEEDS_REVIEW,
                                       -r["counts"]["stop"], -r["counts"]["review"]))


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


def history(db, submission, today):
    """List every visit of this patient here, newest first, with what became of it."""
    rows = db.query(
        "select s.id, s.treatment_date, s.treatment, s.status, s.answers, t.details, t.reason, "
        "d.outcome, d.doctor, c.practitioner from submissions s "
        "left join treatments t on t.submission_id = s.id "
        "left join decisions d on d.submission_id = s.id "
        "left join consents c on c.submission_id = s.id "
        "where s.name_key = ? and s.date_of_birth = ? order by s.treatment_date desc, "
        "s.created_at desc", [submission["name_key"], submission["date_of_birth"]])
    return [{**{k: row[k] for k in ("id", "treatment_date", "treatment", "outcome", "doctor",
                                     "practitioner")},
             "this": row["id"] == submission["id"], "reason": row["reason"] or "",
             "status": current(row["status"], row["treatment_date"], today),
             "areas": json.loads(row["answers"])["areas"],
             "treated": treated_areas(row)} for row in rows]


def next_sessions(visits, min_days):
    """Map each area ever treated to its last treatment and the earliest next session date."""
    found = {}
    for visit in visits:  # newest first: the first date seen per area is the last treatment
        for area in visit["treated"]:
            if area not in found:
                last = clock.parse_date(visit["treatment_date"])
                found[area] = {"last": last.isoformat(),
                               "next": (last + timedelta(days=min_days)).isoformat()}
    return found
