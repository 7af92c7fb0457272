"""Finalise a consent: render, seal, archive and record, once per submission."""
from pathlib import Path

from . import (accounts, archive, decisions, keys as seal_keys, pdf, seal, seal_check, stamping,
               submissions, timestamps)
from .display import answer_sections, label, show
from .status import FINAL, Status

DECLARATIONS = ("read_information", "answers_truthful", "aftercare_agreed")
TREATMENT_ONLY = ("aftercare_agreed",)  # meaningless on a declined patient's record


class NotReady(Exception):
    """The submission does not exist or still waits for a doctor."""


class ArchiveError(Exception):
    """An archived file left by an interrupted run is not a sound sealed PDF."""


def document_context(db, submission, decision, config):
    """Gather everything the consent template prints."""
    answers, evaluation = submission["answers"], submission["evaluation"]
    sections = answer_sections(answers, evaluation)
    # A declined patient consents to nothing: the record states the decision only.
    declined = bool(decision) and decision["outcome"] in (Status.DECLINED, Status.DEFERRED)
    kept = [n for n in DECLARATIONS if not (declined and n in TREATMENT_ONLY)]
    return {
        "title": "Eligibility decision" if declined else "Treatment consent",
        "declined": declined,
        "clinic": {"name": config["CLINIC_NAME"], "address": config["CLINIC_ADDRESS"],
                   "phone": config["CLINIC_PHONE"]},
        "timezone": config["CLINIC_TIMEZONE"],  # what people read; the record keeps UTC
        "document": {"id": submission["id"]},
        "patient": answers,
        "treatment": {"label": show("treatment", answers["treatment"]),
                      "areas": show("areas", answers["areas"]),
                      "date": submission["treatment_date"]},
        "evaluation": evaluation, "decision": decision, "sections": sections,
        "decided_by": accounts.signer(db, decision["doctor"]) if decision else None,
        "flag_answers": {f["rule"]: "; ".join(label(n) for n in f["fields"])
                         for f in evaluation["flags"]},
        "advice": [] if declined else [f["aftercare"] for f in evaluation["flags"]
                                       if f.get("aftercare")],
        "declarations": [label(n) for n in kept if answers.get(n)],
        "photo_consent": answers.get("photo_consent"), "signed_name": answers["signed_name"],
        "typed_signature": submission.get("signature_kind") == "typed",
        "signature": pdf.data_uri(submission["signature"]) if submission["signature"] else None,
        "signed_at": submission["signed_at"], "attachment_name": pdf.ATTACHMENT_NAME,
        "information_sha256": submission["information_sha256"] or "not recorded",
    }


def machine_record(submission, decision, witnesses=None):
    """Return the JSON record embedded in the PDF.

    witnesses is the archive's newest entry when this record was sealed, so every sealed
    PDF vouches for the chain before it.
    """
    keys = ("id", "created_at", "treatment_date", "status", "signed_at", "information_sha256")
    part = {k: submission[k] for k in keys}
    if submission.get("signature_kind", "drawn") != "drawn":  # drawn records stay as before
        part["signature_kind"] = submission["signature_kind"]
    return {"submission": part, "answers": submission["answers"],
            "evaluation": submission["evaluation"], "decision": decision,
            "witnesses": witnesses}


def leftover_problems(data, submission_id, keys, tsa=None):
    """Say why a file found without its row is not this submission's sound sealed record."""
    if problems := seal_check.check(data, keys, tsa).problems:
        return problems
    record = pdf.attached_record(data) or {}
    if record.get("submission", {}).get("id") != submission_id:
        return ["its attached record is for another submission"]
    return []


def adopt_checked(submission_id, keys, tsa=None):
    """Accept a file found in the archive only if it is this submission's, sealed and sound."""
    def adopt(data):
        if problems := leftover_problems(data, submission_id, keys, tsa):
            raise ArchiveError("; ".join(problems))
        return data
    return adopt


def awaiting_retry(db, archive_dir, keys, tsa=None):
    """List files a killed worker left without their row, sound and waiting for retry."""
    waiting = set(pending(db))
    return [path for path in sorted(Path(archive_dir).rglob("*.pdf"))
            if path.stem in waiting and not archive.entry(db, path.stem)
            and not leftover_problems(path.read_bytes(), path.stem, keys, tsa)]


def finalise(db, config, submission_id):
    """Render, seal and archive a decided submission once; return its archive entry."""
    if done := archive.entry(db, submission_id):
        return done
    submission = submissions.get(db, submission_id)
    if submission is None or submission["status"] not in FINAL:
        raise NotReady(submission_id)
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    sealed, stamped = sealed_document(db, config, submission)
    done = archive.store(db, config["ARCHIVE_DIR"], submission, sealed,
                         adopt_checked(submission_id, keys, tsa))
    if tsa.url and not stamped:
        stamping.queue(db, submission_id)
    return done


def sealed_document(db, config, submission):
    """Render a decided submission's record as PDF/A and seal it; tell if timestamped."""
    decision = decisions.get(db, submission["id"])
    html = pdf.render_html(document_context(db, submission, decision, config))
    record = machine_record(submission, decision, archive.head(db))
    return seal.seal(pdf.render_pdf(html, record), seal_keys.from_config(config),
                     timestamps.from_config(config))


def pending(db):
    """List decided submissions that have no archived PDF yet (to retry)."""
    marks = ", ".join("?" * len(FINAL))
    return [row["id"] for row in db.query(
        f"select id from submissions where status in ({marks}) and id not in "
        f"(select submission_id from archive) order by created_at", FINAL)]
