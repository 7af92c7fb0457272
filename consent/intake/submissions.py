"""Storage of submissions: a small set of named functions over sqlite-utils."""
import json
import secrets

from ..kernel import clock, ledger
from ..kernel.languages import CLINIC, shipped
from ..kernel.names import name_key
from ..kernel.status import Status
from ..kernel.storage import immediate
from . import information
from .questionnaire import EDITION
from .rules.engine import evaluate


def new_id():
    """Return a non-guessable submission id."""
    return secrets.token_urlsafe(16)


def treated_areas(row):
    """Return the areas a visit treated: recorded ones, or all consented on a legacy record."""
    if row["details"]:
        return [part["area"] for part in json.loads(row["details"])["areas"]]
    if row["status"] in (Status.CLEARED, Status.APPROVED):  # sealed before treatment records
        return json.loads(row["answers"])["areas"]
    return []


def clinic_history(db, answers):
    """List the patient's treatments at this clinic, newest first: date and areas treated.

    Only recorded treatments count; consents sealed before countersigning existed
    (cleared, approved) count as sessions, as they did when they were sealed.
    """
    rows = db.query(
        "select s.treatment_date, s.status, s.answers, t.details from submissions s "
        "left join treatments t on t.submission_id = s.id and t.outcome = 'treated' "
        "where s.name_key = ? and s.date_of_birth = ? and (t.details is not null or "
        "s.status in ('cleared', 'approved')) order by s.treatment_date desc",
        [name_key(answers["first_name"], answers["last_name"]), answers["date_of_birth"]])
    return [{"date": row["treatment_date"], "areas": treated_areas(row)} for row in rows]


def first_status(evaluation):
    """Return where a new submission stands: with a doctor, or waiting for consent."""
    return (Status.NEEDS_REVIEW if evaluation.status == Status.NEEDS_REVIEW
            else Status.AWAITING_CONSENT)


def submit(db, ruleset, answers, signature_png, on, typed=False, guardian=None, within=None,
           phone="", language=CLINIC):
    """Evaluate and store a validated questionnaire; return the stored row.

    guardian is (kind, png) for a patient under 18: their drawn PNG, or "typed" and b"".
    within(db, row), if given, runs in the same transaction (it may raise to undo it all).
    phone is the clinic's number, part of the information the patient read; language is
    the one they read and answered in.
    """
    guardian_kind, guardian_png = guardian or (None, None)
    now = clock.iso(clock.now())
    with immediate(db):
        # Read history and write in one locked step, so two tablets cannot both miss
        # each other's consent for the same patient.
        evaluation = evaluate(ruleset, answers, on, clinic_history(db, answers))
        row = {
            "id": new_id(), "created_at": now, "signed_at": now,
            "first_name": answers["first_name"], "last_name": answers["last_name"],
            "name_key": name_key(answers["first_name"], answers["last_name"]),
            "date_of_birth": answers["date_of_birth"], "treatment": answers["treatment"],
            "treatment_date": on.isoformat(), "answers": json.dumps(answers),
            "signature": signature_png, "status": first_status(evaluation),
            "signature_kind": "typed" if typed else "drawn",
            "evaluation": json.dumps(evaluation.to_dict()),
            "ruleset_version": evaluation.version, "ruleset_sha256": evaluation.sha256,
            # exactly the information the patient read, kept by its SHA-256
            "information_sha256": information.keep(db, now, [answers["treatment"]], phone),
            "edition": EDITION,  # which questions, and which meanings, they answered
            # a patient under 18: the guardian's own signature, and how they signed
            "guardian_signature_kind": guardian_kind, "guardian_signature": guardian_png,
            **translation(db, now, answers["treatment"], phone, language),
        }
        db["submissions"].insert(row)
        ledger.append(db, "submission", row)
        if within:
            within(db, row)
    return row


def translation(db, now, treatment, phone, language):
    """Return the columns that keep the patient's language (none for the clinic's own)."""
    if language == CLINIC:
        return {}
    return {"language": language, "language_status": shipped()[language].stage,
            "translation_sha256": information.keep(db, now, [treatment], phone, language)}


def get(db, submission_id):
    """Return one submission with its JSON columns decoded, or None."""
    rows = list(db["submissions"].rows_where("id = ?", [submission_id]))
    if not rows:
        return None
    row = rows[0]
    return {**row, "answers": json.loads(row["answers"]),
            "evaluation": json.loads(row["evaluation"])}
