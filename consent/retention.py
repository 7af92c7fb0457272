"""Retention: consents are kept for a set number of years, then purged on purpose."""
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import audit, clock
from .db import get_db, immediate
from .forms.validators import clinic_today

retention_cli = AppGroup("retention", help="Apply the clinic's retention period.")


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


def purge_one(db, archive_dir, submission_id):
    """Delete one consent: its PDF, archive row (recorded in purges), decision and answers."""
    with immediate(db):
        entry = next(db["archive"].rows_where("submission_id = ?", [submission_id]), None)
        if entry:
            db["purges"].insert({"submission_id": submission_id, "purged_at":
                                 clock.iso(clock.now()), "entry_hash": entry["entry_hash"],
                                 "prev_hash": entry["prev_hash"]})
            db["archive"].delete_where("submission_id = ?", [submission_id])
        db["decisions"].delete_where("submission_id = ?", [submission_id])
        db["submissions"].delete(submission_id)
        audit.append(db, "retention_purge", "retention", submission_id)
    if entry:  # after the commit: a crash here leaves an unindexed file that verify reports
        path = Path(archive_dir) / entry["path"]
        if path.exists():
            path.chmod(0o600)
            path.unlink()


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be purged.")
def purge_command(dry_run):
    """Delete consents older than RETENTION_YEARS (default 10) and log that it did."""
    years = current_app.config["RETENTION_YEARS"]
    before = cutoff(clinic_today(), years)
    ids = expired(get_db(), before)
    if not dry_run:
        for submission_id in ids:
            purge_one(get_db(), current_app.config["ARCHIVE_DIR"], submission_id)
        current_app.logger.warning("Retention purge: removed %d consents treated before %s",
                                   len(ids), before)
    click.echo(f"{'Would purge' if dry_run else 'Purged'} {len(ids)} consents treated "
               f"before {before} (retention {years} years)")


def init_app(app):
    """Register the retention command."""
    app.cli.add_command(retention_cli)
