"""Finalise records: render, seal, archive and record each document once."""
from pathlib import Path

from ..intake import submissions
from ..kernel.status import COUNTERSIGNED, SEALED, Status
from ..practice import consents, treatments
from ..review import decisions
from . import archive, documents, fhir_export, pdf, stamping
from .contexts import consent_context, treatment_context
from .seal import keys as seal_keys, seal, seal_check, timestamps


class NotReady(Exception):
    """The submission does not exist, or its document has nothing to record yet."""


class ArchiveError(Exception):
    """An archived file left by an interrupted run is not a sound sealed PDF."""


def leftover_problems(data, document_id, keys, tsa=None):
    """Say why a file found without its row is not this document's sound sealed record."""
    if problems := seal_check.check(data, keys, tsa).problems:
        return problems
    record = pdf.attached_record(data) or {}
    if record.get("submission", {}).get("id") != document_id:
        return ["its attached record is for another submission"]
    return []


def adopt_checked(document_id, keys, tsa=None):
    """Accept a file found in the archive only if it is this document's, sealed and sound."""
    def adopt(data):
        if problems := leftover_problems(data, document_id, keys, tsa):
            raise ArchiveError("; ".join(problems))
        return data
    return adopt


def awaiting_retry(db, archive_dir, keys, tsa=None):
    """List files a killed worker left without their row, sound and waiting for retry."""
    waiting = set(pending(db))
    if not waiting:  # the usual case: no need to walk the whole archive
        return []
    return [path for path in sorted(Path(archive_dir).rglob("*.pdf"))
            if path.stem in waiting and not archive.entry(db, path.stem)
            and not leftover_problems(path.read_bytes(), path.stem, keys, tsa)]


def finalise(db, config, document_id):
    """Render, seal and archive a document once; return its archive entry."""
    if done := archive.entry(db, document_id):
        return done
    submission = submissions.get(db, documents.submission_of(document_id))
    if documents.is_treatment(document_id):
        if submission is None or treatments.get(db, submission["id"]) is None:
            raise NotReady(document_id)
        consent_entry = finalise(db, config, submission["id"])  # the record it links to
        sealed, stamped = sealed_treatment(db, config, submission, consent_entry)
    else:
        if not sealable(db, submission):
            raise NotReady(document_id)
        sealed, stamped = sealed_document(db, config, submission)
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    done = archive.store(db, config["ARCHIVE_DIR"], document_id, submission["created_at"],
                         sealed, adopt_checked(document_id, keys, tsa))
    if tsa.url and not stamped:
        stamping.queue(db, document_id)
    return done


def sealable(db, submission):
    """Tell whether a consent record may be sealed: decided, and countersigned if consented."""
    if submission is None or submission["status"] not in SEALED:
        return False
    return submission["status"] not in COUNTERSIGNED or bool(consents.get(db, submission["id"]))


def sealed_document(db, config, submission):
    """Render a consent or eligibility record as PDF/A and seal it; tell if timestamped."""
    decision = decisions.get(db, submission["id"])
    consent = consents.get(db, submission["id"])
    html = pdf.render_html(consent_context(db, submission, decision, consent, config))
    record = documents.consent_record(submission, decision, consent, archive.head(db))
    bundle = fhir_export.embedded(db, config, submission)
    return seal.seal(pdf.render_pdf(html, record, bundle=bundle), seal_keys.from_config(config),
                     timestamps.from_config(config))


def sealed_treatment(db, config, submission, consent_entry):
    """Render a treatment record as PDF/A and seal it; tell if timestamped."""
    treatment = treatments.get(db, submission["id"])
    html = pdf.render_html(treatment_context(db, submission, treatment, consent_entry, config),
                           "pdf/treatment.html")
    record = documents.treatment_record(submission["id"], treatment, consent_entry["sha256"],
                                        archive.head(db))
    return seal.seal(pdf.render_pdf(html, record, pdf.TREATMENT_ATTACHMENT),
                     seal_keys.from_config(config), timestamps.from_config(config))


def pending(db):
    """List documents that should be archived and are not yet (to retry), oldest first."""
    marks = ", ".join("?" * len(SEALED))
    records = [row["id"] for row in db.query(
        f"select id from submissions where status in ({marks}) and id not in "
        f"(select submission_id from archive) and (status in (?, ?) or id in "
        f"(select submission_id from consents)) order by created_at",
        [*SEALED, Status.DECLINED, Status.DEFERRED])]
    done = [row["submission_id"] for row in db.query(
        "select t.submission_id from treatments t where t.submission_id || ? not in "
        "(select submission_id from archive) order by t.recorded_at", [documents.TREATMENT])]
    return records + [documents.treatment_id(sid) for sid in done]
