"""The archive: write-once sealed PDFs on disk, indexed by a hash-chained table."""
import csv
import hashlib
import os
import secrets
import shutil
from pathlib import Path

from ..kernel import chain, clock
from ..kernel.storage import immediate

TEMP_SUFFIX = ".tmp"


def sha256(data):
    """Return the hex SHA-256 of bytes."""
    return hashlib.sha256(data).hexdigest()


def fsync_dir(path):
    """Flush a directory entry so a rename survives a power cut."""
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_once(path, data):
    """Write data to path atomically and read-only; never replace an existing file."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.{os.getpid()}{TEMP_SUFFIX}")
    try:
        with open(temp, "xb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o400)  # read-only, and for the service user alone
        os.link(temp, path)  # unlike os.replace, fails instead of overwriting
        fsync_dir(path.parent)
    finally:
        temp.unlink(missing_ok=True)


def head(db):
    """Return the newest archive entry as {seq, entry_hash}, or None while empty."""
    row = next(db["archive"].rows_where(select="seq, entry_hash", order_by="seq desc",
                                        limit=1), None)
    return dict(row) if row else None


def entry(db, submission_id):
    """Return the archive entry of a submission, or None."""
    return next(db["archive"].rows_where("submission_id = ?", [submission_id]), None)


def record(db, submission_id, relative_path, data):
    """Append the file's entry to the hash chain; return the entry."""
    with immediate(db):
        if done := entry(db, submission_id):  # another worker finished first
            return done
        return chain.append(db, "archive", {
            "submission_id": submission_id, "path": relative_path, "sha256": sha256(data),
            "size": len(data), "archived_at": clock.iso(clock.now())})


def store(db, archive_dir, document_id, created, pdf_bytes, adopt):
    """Archive a sealed PDF once; a file left by an interrupted run is adopted if sound.

    The index's submission_id column holds the document id: a submission's own id for its
    consent record, with ".treatment" appended for its treatment record.
    """
    relative = f"{created[:4]}/{created[5:7]}/{document_id}.pdf"
    path = Path(archive_dir) / relative
    try:
        write_once(path, pdf_bytes)
    except FileExistsError:
        # A worker killed between the file and its row, or a concurrent finalisation,
        # left a complete file (it is linked only after fsync): keep it, do not rewrite.
        pdf_bytes = adopt(path.read_bytes())
    return record(db, document_id, relative, pdf_bytes)


def sweep_temp_files(archive_dir):
    """Remove temp files whose writing process is gone; return how many."""
    removed = 0
    for temp in Path(archive_dir).rglob(f"*{TEMP_SUFFIX}"):
        pid = temp.name.removesuffix(TEMP_SUFFIX).rsplit(".", 1)[-1]
        if pid.isdigit() and not process_alive(int(pid)):
            temp.unlink(missing_ok=True)
            removed += 1
    return removed


def process_alive(pid):
    """Tell whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def revision_path(relative, number):
    """Name the file of a record's timestamped revision (number 1, 2, ...)."""
    return f"{relative.removesuffix('.pdf')}.ts{number}.pdf"


def revisions(db):
    """Map each submission to its timestamped revisions' hashes, oldest first."""
    found = {}
    for row in db["ledger"].rows_where("kind = 'timestamp'", order_by="seq"):
        found.setdefault(row["subject_id"], []).append(row["content_hash"])
    return found


def newest(db, entry):
    """Return the relative path of an entry's newest revision (what is served)."""
    count = db.execute("select count(*) from ledger where kind = 'timestamp' and "
                       "subject_id = ?", [entry["submission_id"]]).fetchone()[0]
    return revision_path(entry["path"], count) if count else entry["path"]


def newest_file(db, archive_dir, entry):
    """Return the file of an entry's newest revision."""
    return Path(archive_dir) / newest(db, entry)


def add_revision(db, archive_dir, entry, data):
    """Store a revision that appends timestamps to the newest file; chain its hash."""
    with immediate(db):
        relative = revision_path(entry["path"], len(revisions(db).get(
            entry["submission_id"], [])) + 1)
        write_once(Path(archive_dir) / relative, data)
        chain.append(db, "ledger", {"at": clock.iso(clock.now()), "kind": "timestamp",
                                    "subject_id": entry["submission_id"],
                                    "content_hash": sha256(data)})
    return relative


def export(db, archive_dir, since, dest):
    """Copy PDFs of consents treated since a date to dest, with a manifest; return the count."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    rows = db.query(
        "select a.submission_id, a.path, a.sha256, s.first_name, s.last_name, "
        "s.treatment_date, s.status from archive a join submissions s on a.submission_id in "
        "(s.id, s.id || '.treatment') "
        "where s.treatment_date >= ? order by a.seq", [since.isoformat()])
    count = 0
    with open(dest / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "patient", "date", "status", "sha256", "file"])
        for count, row in enumerate(rows, start=1):
            name = Path(row["path"]).name  # the newest revision, under the record's name
            shutil.copy2(Path(archive_dir) / newest(db, row), dest / name)
            writer.writerow([row["submission_id"], f"{row['first_name']} {row['last_name']}",
                             row["treatment_date"], row["status"], row["sha256"], name])
    return count
