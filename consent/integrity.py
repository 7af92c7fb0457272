"""Everything `archive verify` and `audit verify` check, gathered in one place."""
from collections import Counter
from dataclasses import dataclass, field

from . import archive, audit, checkpoints, keys as seal_keys, ledger, purges, timestamps
from . import verified
from .finalise import (awaiting_retry, expected_record, record_parts, record_problems,
                       witness_problems)
from .pdf import attached_record


@dataclass
class ArchiveReport:
    """What `archive verify` found."""

    problems: list = field(default_factory=list)
    awaiting: list = field(default_factory=list)  # files waiting for `archive retry`
    levels: Counter = field(default_factory=Counter)  # PAdES level: count
    renew: tuple | None = None  # (earliest renewal date, submission id)
    validated: int = 0  # seals validated this run (the rest matched the signed record)


def archive_report(db, config, full=False, workers=None):
    """Check the archive, ledger, purge records and checkpoints; return an ArchiveReport."""
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    report = ArchiveReport(awaiting=awaiting_retry(db, config["ARCHIVE_DIR"], keys, tsa))
    report.problems = purges.problems(db, keys)
    sound = purges.sound(db, keys)
    lawful = purges.bridges(sound)
    found, files = archive.file_problems(db, config["ARCHIVE_DIR"], lawful, report.awaiting)
    report.problems += found
    report.problems += seal_and_record_problems(db, config, files, lawful, report, full,
                                                workers)
    report.problems += ledger.problems(db, {row["submission_id"] for row in sound})
    report.problems += checkpoints.problems(db, keys, config["CHECKPOINT_DIR"],
                                            ("archive", "ledger"), set(lawful))
    return report


def seal_and_record_problems(db, config, files, lawful, report, full, workers):
    """Validate new seals (all with full), compare every record with its rows."""
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    known = {} if full else verified.load(config["CHECKPOINT_DIR"], keys)
    todo = [(row, path) for row, path, data in files
            if known.get(row["submission_id"], {}).get("sha256") != archive.sha256(data)]
    results = dict(zip((row["submission_id"] for row, _ in todo),
                       verified.inspect_all([str(path) for _, path in todo], keys, tsa,
                                            workers)))
    report.validated, problems, seals = len(todo), [], {}
    for row, path, data in files:
        sid, name = row["submission_id"], f"entry {row['seq']} ({row['submission_id']})"
        if sid in results:
            check, record = results[sid]
            found = check.problems + record_problems(db, sid, record, lawful)
            entry = {"sha256": archive.sha256(data), "level": check.level,
                     "expires": check.expires,
                     "record": verified.digest(record_parts(record or {})),
                     "witnesses": (record or {}).get("witnesses")}
        else:
            entry = known[sid]
            found = known_record_problems(db, sid, entry, data, lawful)
        problems += [f"{name}: {problem}" for problem in found]
        if not found:
            seals[sid] = entry
        report.levels[entry["level"]] += 1
        if entry["level"] != "B-B" and (report.renew is None or entry["expires"] < report.renew[0]):
            report.renew = (entry["expires"], sid)
    verified.save(config["CHECKPOINT_DIR"], keys, seals)
    return problems


def known_record_problems(db, submission_id, entry, data, lawful):
    """Compare the rows with a record validated before, reading the PDF only on a mismatch."""
    expected = expected_record(db, submission_id)
    if expected is not None and verified.digest(record_parts(expected)) == entry["record"]:
        return witness_problems(db, entry, lawful)
    # Differs, or a record sealed by an older version: read the PDF to say exactly how.
    return record_problems(db, submission_id, attached_record(data), lawful, expected)


def audit_report(db, config):
    """Return the problems of the audit log and its checkpoints."""
    return audit.problems(db) + checkpoints.problems(db, seal_keys.from_config(config),
                                                     config["CHECKPOINT_DIR"], ("audit",))
