"""Restore a backup into a new instance, checking everything before writing anything."""
import json
from pathlib import Path

import pyrage

from ..kernel.storage import connect, migrate
from . import checkpoints
from .backup import (ARCHIVE_FILE, CERTIFICATE, DATABASE, MANIFEST, RETIRED_FILE, SIGNATURE,
                     BackupError, archived_files, file_sha256, public, stored_name)
from .seal.keys import from_config as seal_keys, retired, signature_holds


def allowed(name):
    """Tell whether a manifest entry names a file a backup may hold."""
    return name in (DATABASE, CERTIFICATE) or ARCHIVE_FILE.fullmatch(name) is not None or \
        RETIRED_FILE.fullmatch(name) is not None


def signed_manifest(src, keys):
    """Return the manifest if the seal key signed it, and the certificates agree."""
    try:
        text, signature = (src / MANIFEST).read_bytes(), (src / SIGNATURE).read_text()
    except OSError:
        raise BackupError(f"{src} holds no {MANIFEST} and {SIGNATURE}") from None
    if not signature_holds(text, signature, keys):
        raise BackupError("the backup's manifest is not signed with this instance's seal "
                          "key: install the clinic's seal key and certificate in the seal "
                          "folder first (they are kept apart from backups)")
    try:
        return json.loads(text)
    except ValueError:
        raise BackupError(f"{MANIFEST} is malformed") from None


def check_manifest(src, keys):
    """Return the manifest if it is signed and every listed file is known and unchanged."""
    src = Path(src)
    manifest = signed_manifest(src, keys)
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise BackupError(f"{MANIFEST} is malformed")
    for name in files:
        if not allowed(name):  # "archive/../config.py", "/etc/x", config files: never
            raise BackupError(f"backup lists a file it may not hold: {name!r}")
    if missing := {DATABASE, CERTIFICATE} - set(files):
        raise BackupError(f"backup does not list {', '.join(sorted(missing))}")
    for name, digest in files.items():
        path = src / stored_name(name)
        if not path.is_file() or path.is_symlink() or file_sha256(path) != digest:
            raise BackupError(f"backup file damaged or missing: {name}")
    if (src / CERTIFICATE).read_bytes() != Path(keys.certificate).read_bytes() and \
            (src / CERTIFICATE).read_bytes() not in {Path(p).read_bytes() for p in retired(keys)}:
        raise BackupError("the backup was sealed under another certificate than this "
                          "instance's: install the clinic's own seal key and certificate")
    return manifest


def target(config, name):
    """Return where a checked backup file goes, inside this instance only."""
    if name == DATABASE:
        return Path(config["DATABASE"])
    base = Path(config["ARCHIVE_DIR"] if name.startswith("archive/") else config["SEAL_DIR"])
    path = (base / name.removeprefix("archive/")).resolve()
    if not path.is_relative_to(base.resolve()):
        raise BackupError(f"backup file would land outside the instance: {name!r}")
    return path


def refuse_used(database):
    """Refuse to restore over an instance that already holds consents."""
    if not database.exists():
        return
    existing = connect(str(database))
    used = "submissions" in existing.table_names() and existing["submissions"].count
    existing.conn.close()
    if used:
        raise BackupError("this instance already holds consents; restore only into an "
                          "empty instance")


def read_identity(path):
    """Load the age identity (private key) that decrypts the backup."""
    try:
        return pyrage.x25519.Identity.from_str(Path(path).read_text().strip())
    except Exception:  # noqa: BLE001 - pyrage raises its own error types
        raise BackupError(f"{path} holds no age identity (AGE-SECRET-KEY-…)") from None


def restore(config, src, identity_file):
    """Restore a checked backup into an empty instance; return (manifest, files it lacks).

    Backups written before 2026-12 left out timestamped revisions: those are named, and the
    sealed originals they extended are restored and still verify.
    """
    src, database = Path(src), Path(config["DATABASE"])
    manifest = check_manifest(src, seal_keys(config))  # all checked before any write
    targets = {name: target(config, name) for name in manifest["files"] if name != CERTIFICATE}
    identity = read_identity(identity_file)
    snapshot = decrypt(src, DATABASE, identity)  # a wrong identity stops here, nothing written
    refuse_used(database)
    checkpoints.set_aside(config["CHECKPOINT_DIR"])  # it anchored an empty instance
    for name, path in targets.items():
        if name != DATABASE:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes((src / name).read_bytes() if public(name) else
                             decrypt(src, name, identity))
    for suffix in ("", "-wal", "-shm"):  # the database last: until then the instance is empty
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    database.write_bytes(snapshot)
    migrate(str(database))
    restored = connect(str(database))
    lacking = [p for p in archived_files(restored) if f"archive/{p}" not in manifest["files"]]
    restored.conn.close()
    return manifest, lacking


def decrypt(src, name, identity):
    """Decrypt one file of the backup."""
    try:
        return pyrage.decrypt((src / stored_name(name)).read_bytes(), [identity])
    except Exception:  # noqa: BLE001 - pyrage raises its own error types
        raise BackupError(f"the identity does not decrypt {name}") from None
