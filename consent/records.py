"""The archive as an app subsystem: seal key on init, start-up sweep, CLI."""
import csv
import shutil
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from . import archive, audit, pdf, seal
from .db import get_db
from .finalise import finalise, pending

archive_cli = AppGroup("archive", help="Verify, export and complete the consent archive.")


def finalise_submission(submission_id):
    """Finalise one submission with this app's configuration."""
    return finalise(get_db(), current_app.config, submission_id)


@archive_cli.command("verify")
def verify_command():
    """Check every archived file, hash, chain link and seal; exit 1 on any problem."""
    seal_dir = current_app.config["SEAL_DIR"]
    problems = archive.verify(get_db(), current_app.config["ARCHIVE_DIR"],
                              lambda data: seal.problems(data, seal_dir))
    for line in problems:
        click.echo(line)
    count = get_db()["archive"].count
    click.echo(f"{count} archived consents, {len(problems)} problems", err=True)
    sys.exit(1 if problems else 0)


@archive_cli.command("export")
@click.option("--since", type=click.DateTime(["%Y-%m-%d"]), required=True)
@click.argument("dest", type=click.Path(file_okay=False))
def export_command(since, dest):
    """Copy archived PDFs since a date, with a manifest, for long-term storage."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    rows = get_db().query(
        "select a.submission_id, a.path, a.sha256, s.first_name, s.last_name, "
        "s.treatment_date, s.status from archive a join submissions s on s.id = a.submission_id "
        "where s.treatment_date >= ? order by a.seq", [since.date().isoformat()])
    with open(dest / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "patient", "date", "status", "sha256", "file"])
        count = 0
        for count, row in enumerate(rows, start=1):
            name = Path(row["path"]).name
            shutil.copy2(Path(current_app.config["ARCHIVE_DIR"]) / row["path"], dest / name)
            writer.writerow([row["submission_id"], f"{row['first_name']} {row['last_name']}",
                             row["treatment_date"], row["status"], row["sha256"], name])
    audit.record("export", detail=f"{count} consents treated since {since.date()}",
                 username="cli")
    click.echo(f"Exported {count} consents to {dest}")


@archive_cli.command("retry")
def retry_command():
    """Finalise decided consents whose PDF is missing (after a crash or a full disk)."""
    waiting = pending(get_db())
    for submission_id in waiting:
        finalise_submission(submission_id)
    click.echo(f"Finalised {len(waiting)} consents")


def create_seal_key(app):
    """Init hook: generate the clinic's seal key unless one is supplied."""
    if seal.create_key(app.config["SEAL_DIR"], app.config["CLINIC_NAME"]):
        click.echo(f"Generated a seal key and certificate in {app.config['SEAL_DIR']}")


def init_app(app):
    """Register the archive CLI, the seal-key hook and the start-up checks."""
    app.cli.add_command(archive_cli)
    app.extensions["consent.init_hooks"].append(create_seal_key)
    if Path(app.config["ARCHIVE_DIR"]).is_dir():
        removed = archive.sweep_temp_files(app.config["ARCHIVE_DIR"])
        if removed:
            app.logger.warning("Removed %d temp files left by a stopped worker", removed)
    if not pdf.harfbuzz_subset_available():
        app.logger.warning("libharfbuzz-subset is missing: PDF renders are about 1.9x slower")

