"""Retention: consents are kept for a set number of years, then purged on purpose."""
from datetime import date
from pathlib import Path

from . import audit, purges
from .storage import immediate


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
    """Delete one consent: its PDF, archive row, decision and answers, with a signed record."""
    with immediate(db):
        entry = next(db["archive"].rows_where("submission_id = ?", [submission_id]), None)
        purges.record(db, submission_id, entry, keys)
        if entry:
            db["archive"].delete_where("submission_id = ?", [submission_id])
        db["decisions"].delete_where("submission_id = ?", [submission_id])
        db["submissions"].delete(submission_id)
        db["timestamp_queue"].delete_where("submission_id = ?", [submission_id])
        audit.append(db, "retention_purge", "retention", submission_id)
    if entry:  # after the commit: a crash here leaves an unindexed file that verify reports
        original = Path(archive_dir) / entry["path"]
        for path in [original, *original.parent.glob(f"{original.stem}.ts*.pdf")]:
            path.chmod(0o600)
            path.unlink()
