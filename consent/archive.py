"""The archive: write-once sealed PDFs on disk, indexed by a hash-chained table."""
import csv
import hashlib
import os
import secrets
import shutil
from pathlib import Path

from . import chain, clock
from .storage import immediate

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


def store(db, archive_dir, submission, pdf_bytes, adopt):
    """Archive a sealed PDF once; a file left by an interrupted run is adopted if sound."""
    submission_id, created = submission["id"], submission["created_at"]
    relative = f"{created[:4]}/{created[5:7]}/{submission_id}.pdf"
    path = Path(archive_dir) / relative
    try:
        write_once(path, pdf_bytes)
    except FileExistsError:
        # A worker killed between the file and its row, or a concurrent finalisation,
        # left a complete file (it is linked only after fsync): keep it, do not rewrite.
        pdf_bytes = adopt(path.read_bytes())
    return record(db, submission_id, relative, pdf_bytes)


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


def file_problems(db, archive_dir, purged=None, awaiting=()):
    """Check every file, revision, hash and chain link; return (problems, newest files).

    purged maps the entry hash of each lawfully purged entry to its previous hash.
    newest lists (row, path, data, sha256) of each entry's newest file, for the seal
    and record checks. Files in awaiting (sound records a killed worker left
    without their row) are not problems: `archive retry` completes them.
    """
    problems = [f"entry {row['seq']} ({row['submission_id']}): {problem}"
                for row, problem in chain.problems(db, "archive", purged)]
    listed, present, stamped = set(), [], revisions(db)
    for row in db["archive"].rows_where(order_by="seq"):
        name = f"entry {row['seq']} ({row['submission_id']})"
        expected = [(row["path"], row["sha256"])] + [
            (revision_path(row["path"], n), digest)
            for n, digest in enumerate(stamped.get(row["submission_id"], []), start=1)]
        listed.update(str(Path(archive_dir) / path) for path, _ in expected)
        found, path, data, digest = chain_of_files(archive_dir, expected, row["size"])
        problems += [f"{name}: {problem}" for problem in found]
        if data is not None:  # even a changed file: its seal check tells how it changed
            present.append((row, path, data, digest))
    listed.update(str(path) for path in awaiting)
    seqs = {row["submission_id"]: row["seq"] for row, *_ in present}
    for path in sorted(Path(archive_dir).rglob("*.pdf")):
        if str(path) not in listed:
            owner = path.name.split(".")[0]
            about = f"entry {seqs[owner]} ({owner}): " if owner in seqs else ""
            problems.append(f"{about}unindexed file: {path.relative_to(archive_dir)}")
    return problems, present


def chain_of_files(archive_dir, expected, size):
    """Check a record's files: hashes, and each revision only appending to the one before."""
    previous, path, found, actual = None, None, [], None
    for number, (relative, digest) in enumerate(expected):
        path = Path(archive_dir) / relative
        if not path.is_file():
            return found + [f"file missing: {relative}"], None, None, None
        data = path.read_bytes()
        actual = sha256(data)
        if actual != digest or (number == 0 and len(data) != size):
            found.append(f"file content differs from the archived hash: {relative}")
        elif previous is not None and not data.startswith(previous):
            found.append(f"revision {relative} rewrites the sealed bytes")
        previous = data
    return found, path, previous, actual


def export(db, archive_dir, since, dest):
    """Copy PDFs of consents treated since a date to dest, with a manifest; return the count."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    rows = db.query(
        "select a.submission_id, a.path, a.sha256, s.first_name, s.last_name, "
        "s.treatment_date, s.status from archive a join submissions s on s.id = a.submission_id "
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
