"""Check the archive's files: present, unchanged, revisions only appended, none unindexed."""
from pathlib import Path

from ..kernel import chain
from .archive import revision_path, revisions, sha256


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
