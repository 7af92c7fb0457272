"""Consistent backups of the database, archive and seal key, and restore into a new instance."""
import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

from . import checkpoints, clock
from .storage import connect, migrate

MANIFEST = "manifest.json"
DATABASE = "consent.sqlite"
SEAL_FILES = ("key.pem", "cert.pem")
ARCHIVE_FILE = re.compile(r"archive/[0-9]{4}/[0-9]{2}/[A-Za-z0-9_-]+\.pdf")


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
        raise BackupError(f"{dest} is not empty")
    dest.mkdir(parents=True, exist_ok=True)
    snapshot(config["DATABASE"], dest / DATABASE)
    copied = connect(str(dest / DATABASE))
    paths = [row["path"] for row in copied["archive"].rows_where(select="path")]
    copied.conn.close()
    files = [DATABASE]
    for relative in paths:  # write-once files: those the snapshot lists are complete
        copy_to = dest / "archive" / relative
        copy_to.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(Path(config["ARCHIVE_DIR"]) / relative, copy_to)
        files.append(f"archive/{relative}")
    for name in SEAL_FILES:
        shutil.copy2(Path(config["SEAL_DIR"]) / name, dest / name)
        files.append(name)
    manifest = {"created_at": clock.iso(clock.now()), "consents": len(paths),
                "files": {name: file_sha256(dest / name) for name in files}}
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=1))
    return manifest


class BackupError(Exception):
    """A backup that cannot be written or must not be restored; the message says why."""


def allowed(name):
    """Tell whether a manifest entry names a file a backup may hold."""
    return name in (DATABASE, *SEAL_FILES) or ARCHIVE_FILE.fullmatch(name) is not None


def read_manifest(src):
    """Return the manifest's file table, refusing any name that is not a known backup file."""
    try:
        files = json.loads((src / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError, TypeError):
        raise BackupError(f"{src} holds no readable {MANIFEST}") from None
    if not isinstance(files, dict) or not all(isinstance(v, str) for v in files.values()):
        raise BackupError(f"{MANIFEST} is malformed")
    for name in files:
        if not allowed(name):  # "archive/../config.py", "/etc/x", config files: never
            raise BackupError(f"backup lists a file it may not hold: {name!r}")
    missing = {DATABASE, *SEAL_FILES} - set(files)
    if missing:
        raise BackupError(f"backup does not list {', '.join(sorted(missing))}")
    return files


def check_manifest(src):
    """Return the manifest if every listed file is known, present and unchanged."""
    src = Path(src)
    files = read_manifest(src)
    for name, digest in files.items():
        path = src / name
        if not path.is_file() or path.is_symlink() or file_sha256(path) != digest:
            raise BackupError(f"backup file damaged or missing: {name}")
    return json.loads((src / MANIFEST).read_text())


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


def restore(config, src):
    """Restore a checked backup into an instance that holds no consents yet."""
    src, database = Path(src), Path(config["DATABASE"])
    manifest = check_manifest(src)  # everything is checked before anything is written
    targets = {name: target(config, name) for name in manifest["files"]}
    refuse_used(database)
    checkpoints.set_aside(config["CHECKPOINT_DIR"])  # it anchored an empty instance
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    for name, path in targets.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / name, path)
    migrate(str(database))
    return manifest
