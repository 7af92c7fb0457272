"""Encrypted, signed backups of the database and archive; the seal key is never in them.

Every file is encrypted to the clinic's age public key (BACKUP_RECIPIENT, pyrage); the
manifest lists each stored file's SHA-256 and is signed with the seal key, so a restore
checks everything before it decrypts or writes anything. Without the age identity a
backup reveals no patient data; without the seal key nobody can make one that restores.
"""
import hashlib
import json
import re
import sqlite3
import tempfile
from pathlib import Path

import pyrage

from ..kernel import clock
from ..kernel.storage import connect
from .archive import revision_path, revisions
from .seal import keys

MANIFEST, SIGNATURE = "manifest.json", "manifest.sig"
DATABASE, CERTIFICATE = "consent.sqlite", "cert.pem"
# A consent record, a treatment record (".treatment") and their timestamped revisions
# (".ts1", ".ts2", ...): every file the archive writes, and nothing else.
ARCHIVE_FILE = re.compile(
    r"archive/[0-9]{4}/[0-9]{2}/[A-Za-z0-9_-]+(\.treatment)?(\.ts[1-9][0-9]*)?\.pdf")
# Certificates of seal keys retired by a re-issue: what they sealed still verifies with them.
RETIRED_FILE = re.compile(r"retired/[0-9]{8}T[0-9]{6}-cert\.pem")
SUFFIX = ".age"


class BackupError(Exception):
    """A backup that cannot be written or must not be restored; the message says why."""


def new_identity():
    """Return a fresh age identity (keep it offline) and its public recipient."""
    identity = pyrage.x25519.Identity.generate()
    return str(identity), str(identity.to_public())


def stored_name(name):
    """Return the name a file has in the backup folder (encrypted unless public)."""
    return name if public(name) else name + SUFFIX


def public(name):
    """Tell whether a backup file is a certificate (public, kept in clear)."""
    return name == CERTIFICATE or RETIRED_FILE.fullmatch(name) is not None


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


def recipient(config):
    """Return the age recipient backups are encrypted to, or stop with what to do."""
    try:
        return pyrage.x25519.Recipient.from_str(config.get("BACKUP_RECIPIENT") or "")
    except Exception:  # noqa: BLE001 - pyrage raises its own error types
        raise BackupError("set BACKUP_RECIPIENT in instance/config.py to the clinic's age "
                          "public key (`flask --app consent backup-key FILE` makes a pair)")


def put(dest, name, data, to):
    """Write one file into the backup, encrypted unless it is the public certificate."""
    path = dest / stored_name(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if public(name) else pyrage.encrypt(data, [to]))
    return file_sha256(path)


def archived_files(db):
    """List every archive file a database names: each record and its timestamped revisions."""
    stamped = revisions(db)
    return [path for row in db["archive"].rows_where(select="submission_id, path")
            for path in [row["path"], *(revision_path(row["path"], number) for number in
                                        range(1, len(stamped.get(row["submission_id"], [])) + 1))]]


def back_up(config, dest):
    """Write an encrypted database snapshot, the archived PDFs and a signed manifest."""
    to, dest = recipient(config), Path(dest)
    if dest.exists() and any(dest.iterdir()):
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        snapshot(config["DATABASE"], Path(scratch) / DATABASE)
        copied = connect(str(Path(scratch) / DATABASE))
        paths, records = archived_files(copied), copied["archive"].count
        copied.conn.close()
        files = {DATABASE: put(dest, DATABASE, (Path(scratch) / DATABASE).read_bytes(), to)}
    for relative in paths:  # write-once files: those the snapshot lists are complete
        data = (Path(config["ARCHIVE_DIR"]) / relative).read_bytes()
        files[f"archive/{relative}"] = put(dest, f"archive/{relative}", data, to)
    seal = keys.from_config(config)
    files[CERTIFICATE] = put(dest, CERTIFICATE, Path(seal.certificate).read_bytes(), to)
    for path in keys.retired(seal):
        name = f"{keys.RETIRED}/{Path(path).name}"
        files[name] = put(dest, name, Path(path).read_bytes(), to)
    manifest = {"created_at": clock.iso(clock.now()), "consents": records,
                "encrypted_to": str(to), "files": files}
    text = json.dumps(manifest, indent=1).encode()
    (dest / MANIFEST).write_bytes(text)
    (dest / SIGNATURE).write_text(keys.sign_bytes(text, keys.from_config(config)))
    return manifest
