"""Retention: consents are kept for a set number of years, then purged on purpose."""
from datetime import date
from pathlib import Path

from ..kernel import audit
from ..kernel.storage import immediate
from . import purges
from .documents import treatment_id


def cutoff(today, years):
    """Return the first treatment date still inside the retention period."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return date(today.year - years, 3, 1)


def expired(db, before):
    """List submissions treated before a date."""
    return [row["id"] for row in db["submissions"].rows_where(
        "treatment_date < ?", [before.isoformat()], select="id", order_by="treatment_date")]


def purge_one(db, archive_dir, submission_id, keys):
    """Delete one consent: its PDFs, archive rows, decision and answers, with signed records."""
    entries = []
    with immediate(db):
        for document_id in (submission_id, treatment_id(submission_id)):
            entry = next(db["archive"].rows_where("submission_id = ?", [document_id]), None)
            if entry or document_id == submission_id:  # every purge leaves a signed record
                purges.record(db, document_id, entry, keys)
            if entry:
                db["archive"].delete_where("submission_id = ?", [document_id])
                entries.append(entry)
            db["timestamp_queue"].delete_where("submission_id = ?", [document_id])
        for table in ("decisions", "consents", "treatments"):
            db[table].delete_where("submission_id = ?", [submission_id])
        db["submissions"].delete(submission_id)
        audit.append(db, "retention_purge", "retention", submission_id)
    for entry in entries:  # after the commit: a crash here leaves an unindexed file verify reports
        original = Path(archive_dir) / entry["path"]
        for path in [original, *original.parent.glob(f"{original.stem}.ts*.pdf")]:
            path.chmod(0o600)
            path.unlink()
