"""Consistent backups of the database, archive and seal key, and restore into a new instance."""
import hashlib
import json
import shutil
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from . import clock
from .db import connect, migrate

MANIFEST = "manifest.json"
DATABASE = "consent.sqlite"


def file_sha256(path):
    """Hash a file in chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def snapshot(database, target):
    """Copy the live database with SQLite's backup API: consistent while others write."""
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def back_up(config, dest):
    """Write database snapshot, archived PDFs, seal key and a manifest into dest."""
    dest = Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise click.ClickException(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    snapshot(config["DATABASE"], dest / DATABASE)
    copied = connect(str(dest / DATABASE))
    paths = [row["path"] for row in copied["archive"].rows_where(select="path")]
    copied.conn.close()
    files = [DATABASE]
    for relative in paths:  # write-once files: those the snapshot lists are complete
        target = dest / "archive" / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(config["ARCHIVE_DIR"]) / relative, target)
        files.append(f"archive/{relative}")
    for name in ("key.pem", "cert.pem"):
        shutil.copy2(Path(config["SEAL_DIR"]) / name, dest / name)
        files.append(name)
    manifest = {"created_at": clock.iso(clock.now()), "consents": len(paths),
                "files": {name: file_sha256(dest / name) for name in files}}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


def check_manifest(src):
    """Return the manifest if every listed file is present and unchanged."""
    src = Path(src)
    manifest = json.loads((src / MANIFEST).read_text())
    for name, digest in manifest["files"].items():
        if not (src / name).is_file() or file_sha256(src / name) != digest:
            raise click.ClickException(f"backup file damaged or missing: {name}")
    return manifest


def restore(config, src):
    """Restore a checked backup into an instance that holds no consents yet."""
    src, database = Path(src), Path(config["DATABASE"])
    manifest = check_manifest(src)
    if database.exists():
        existing = connect(str(database))
        used = "submissions" in existing.table_names() and existing["submissions"].count
        existing.conn.close()
        if used:
            raise click.ClickException("this instance already holds consents; restore "
                                       "only into an empty instance")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    shutil.copy2(src / DATABASE, database)
    for name in manifest["files"]:
        if name.startswith("archive/"):
            target = Path(config["ARCHIVE_DIR"]) / name.removeprefix("archive/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / name, target)
    Path(config["SEAL_DIR"]).mkdir(parents=True, exist_ok=True)
    for name in ("key.pem", "cert.pem"):
        shutil.copy2(src / name, Path(config["SEAL_DIR"]) / name)
    migrate(str(database))
    return manifest


@click.command("backup")
@click.argument("dest", type=click.Path(file_okay=False))
@with_appcontext
def backup_command(dest):
    """Back up database, archive and seal key to DEST (safe while the clinic works)."""
    manifest = back_up(current_app.config, dest)
    click.echo(f"Backed up {manifest['consents']} archived consents to {dest}")


@click.command("restore")
@click.argument("src", type=click.Path(exists=True, file_okay=False))
@with_appcontext
def restore_command(src):
    """Restore a backup from SRC into this (empty) instance."""
    manifest = restore(current_app.config, src)
    click.echo(f"Restored {manifest['consents']} archived consents from {src}")


def init_app(app):
    """Register the backup and restore commands."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
