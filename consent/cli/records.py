"""`flask archive`, `audit` and `retention`: checking, completing and keeping the records."""
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from ..db import get_db
from ..evidence import archive, integrity, retention, stamping, witness
from ..evidence.finalise import pending
from ..evidence.seal import keys
from ..evidence.seal.seal_check import LEVELS
from ..evidence.seal.timestamps import NoTsa
from ..workflow import finalise_now
from .base import audited, today

archive_cli = AppGroup("archive", help="Verify, export and complete the consent archive.")
audit_cli = AppGroup("audit", help="Check the audit log.")
retention_cli = AppGroup("retention", help="Apply the clinic's retention period.")


def report(problems, summary):
    """Print each problem, then the summary (on stdout, for scripts); exit 1 if any."""
    for line in problems:
        click.echo(line)
    click.echo(summary)
    sys.exit(1 if problems else 0)


def say_witness():
    """Say what the off-host witness lets verify prove, and how many lines it still lacks."""
    config = current_app.config
    if not witness.configured(config):
        click.echo("No off-host witness: a truncation of the newest records, or a rollback of "
                   "the whole host, cannot be detected (set WITNESS_BUCKET)", err=True)
        return
    waiting = len(witness.waiting(config["CHECKPOINT_DIR"]))
    click.echo(f"Off-host witness: checked; {waiting} checkpoint lines wait to be sent "
               "(`flask witness send`)", err=True)


@archive_cli.command("verify")
@click.option("--full", is_flag=True, help="Validate every seal again, not only new ones.")
@click.option("--levels", is_flag=True, help="List each consent's PAdES level and renewal date.")
def verify_command(full, levels):
    """Check every archived file, hash, chain link, seal and ledger entry; exit 1 on a problem."""
    found = integrity.archive_report(get_db(), current_app.config, full=full)
    for submission_id, (level, renew) in found.seals.items() if levels else ():
        click.echo(f"consent {submission_id}: {level}"
                   + (f", renew by {renew}" if level != "B-B" else ", no trusted time"))
    for path in found.awaiting:  # a crash leftover, not tampering: say so, and how to finish
        click.echo(f"awaiting `flask archive retry`: "
                   f"{path.relative_to(current_app.config['ARCHIVE_DIR'])} (sealed, sound)")
    levels = ", ".join(f"{level} {found.levels[level]}" for level in LEVELS
                       if found.levels[level])
    click.echo(f"PAdES levels: {levels or 'none'}; {found.validated} seals validated this run",
               err=True)
    if found.levels["B-B"]:
        click.echo(f"No trusted time on {found.levels['B-B']} consents (B-B): with TSA_URL "
                   f"set, `flask archive timestamp` adds it", err=True)
    if found.renew:
        click.echo(f"Earliest renewal: {found.renew[0]} (consent {found.renew[1]}): run "
                   f"`flask archive refresh` before then", err=True)
    say_witness()
    report(found.problems, f"{get_db()['archive'].count} archived records, "
                           f"{len(found.problems)} problems")


@archive_cli.command("timestamp")
def timestamp_command():
    """Add trusted time to consents sealed while the TSA was down, and to the checkpoints."""
    done, failed = ask_tsa(stamping.timestamp_queued, get_db(), current_app.config)
    click.echo(f"Timestamped {done} consents" + (f"; {failed} still queued (TSA unreachable)"
                                                 if failed else ""))
    anchored = stamping.anchor_in_time(get_db(), current_app.config)
    click.echo("Checkpoint of the chains timestamped" if anchored else
               "Could not timestamp the checkpoint (TSA unreachable)")
    sys.exit(1 if failed or not anchored else 0)


def ask_tsa(job, *args):
    """Run a timestamping job; a missing TSA_URL is a clear error, not a traceback."""
    try:
        return job(*args)
    except NoTsa as error:
        raise click.ClickException(str(error)) from None


@archive_cli.command("refresh")
@click.option("--within", default=365, show_default=True,
              help="Renew evidence whose newest timestamp certificate expires within DAYS.")
def refresh_command(within):
    """Add a document timestamp (PAdES B-LTA) before timestamp certificates expire."""
    done, failed = ask_tsa(stamping.refresh, get_db(), current_app.config, within)
    click.echo(f"Refreshed {done} consents" + (f"; {failed} failed (TSA unreachable)"
                                               if failed else ""))
    sys.exit(1 if failed else 0)


@archive_cli.command("export")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.argument("dest", type=click.Path(file_okay=False))
def export_command(since, dest):
    """Copy archived PDFs since a date, with a manifest, for long-term storage."""
    count = archive.export(get_db(), current_app.config["ARCHIVE_DIR"], since.date(), dest)
    audited("export", f"{count} consents treated since {since.date()}")
    click.echo(f"Exported {count} consents to {dest}")


@archive_cli.command("retry")
def retry_command():
    """Finalise decided consents whose PDF is missing (after a crash or a full disk)."""
    waiting = pending(get_db())
    for submission_id in waiting:
        finalise_now(get_db(), current_app.config, submission_id)
    click.echo(f"Finalised {len(waiting)} consents")


@audit_cli.command("verify")
def audit_verify_command():
    """Check the audit chain; exit 1 naming each edited or missing row."""
    problems = integrity.audit_report(get_db(), current_app.config)
    say_witness()
    report(problems, f"{get_db()['audit'].count} audit rows, {len(problems)} problems")


@retention_cli.command("purge")
@click.option("--dry-run", is_flag=True, help="Only count what would be purged.")
def purge_command(dry_run):
    """Delete consents older than RETENTION_YEARS (default 10) and log that it did."""
    years = current_app.config["RETENTION_YEARS"]
    before = retention.cutoff(today(), years)
    ids = retention.expired(get_db(), before)
    if not dry_run:
        for submission_id in ids:
            retention.purge_one(get_db(), current_app.config["ARCHIVE_DIR"], submission_id,
                                keys.from_config(current_app.config))
        current_app.logger.warning("Retention purge: removed %d consents treated before %s",
                                   len(ids), before)
    click.echo(f"{'Would purge' if dry_run else 'Purged'} {len(ids)} consents treated "
               f"before {before} (retention {years} years)")


COMMANDS = [archive_cli, audit_cli, retention_cli]
