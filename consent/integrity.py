"""Everything `archive verify` and `audit verify` check, gathered in one place."""
from collections import Counter
from dataclasses import dataclass, field

from . import (archive_check, audit, checkpoints, keys as seal_keys, ledger, purges,
               timestamps, verified)
from .chain import digest
from .finalise import awaiting_retry
from .record_check import expected_digests, record_parts, record_problems
from .pdf import attached_record


@dataclass
class ArchiveReport:
    """What `archive verify` found."""

    problems: list = field(default_factory=list)
    awaiting: list = field(default_factory=list)  # files waiting for `archive retry`
    levels: Counter = field(default_factory=Counter)  # PAdES level: count
    seals: dict = field(default_factory=dict)  # submission id: (level, renewal date)
    renew: tuple | None = None  # (earliest renewal date, submission id)
    validated: int = 0  # seals validated this run (the rest matched the signed record)


def archive_report(db, config, full=False, workers=None):
    """Check the archive, ledger, purge records and checkpoints; return an ArchiveReport."""
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    report = ArchiveReport(awaiting=awaiting_retry(db, config["ARCHIVE_DIR"], keys, tsa))
    report.problems = purges.problems(db, keys)
    sound = purges.sound(db, keys)
    lawful = purges.bridges(sound)
    found, files = archive_check.file_problems(db, config["ARCHIVE_DIR"], lawful,
                                               report.awaiting)
    report.problems += found
    report.problems += seal_and_record_problems(db, config, files, lawful, report, full,
                                                workers)
    report.problems += ledger.problems(db, {row["submission_id"] for row in sound})
    report.problems += checkpoints.problems(db, keys, config["CHECKPOINT_DIR"],
                                            ("archive", "ledger"), set(lawful), tsa)
    return report


def seal_and_record_problems(db, config, files, lawful, report, full, workers):
    """Validate new seals (all with full), compare every record with its rows."""
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    known = {} if full else verified.load(config["CHECKPOINT_DIR"], keys)
    todo = [(row, path) for row, path, _, sha in files
            if known.get(row["submission_id"], {}).get("sha256") != sha]
    results = dict(zip((row["submission_id"] for row, _ in todo),
                       verified.inspect_all([str(path) for _, path in todo], keys, tsa,
                                            workers)))
    context = Rows(expected_digests(db), dict(db.execute("select seq, entry_hash from archive")
                                              .fetchall()), lawful)
    report.validated, problems, seals = len(todo), [], {}
    for row, path, data, sha in files:
        sid, name = row["submission_id"], f"entry {row['seq']} ({row['submission_id']})"
        if sid in results:
            check, record = results[sid]
            found = check.problems + record_problems(db, sid, record, lawful)
            entry = {"sha256": sha, "level": check.level, "expires": check.expires,
                     "record": digest(record_parts(record or {}, sid)),
                     "witnesses": (record or {}).get("witnesses")}
        else:
            entry = known[sid]
            found = [] if context.still_match(sid, entry) else record_problems(
                db, sid, attached_record(data), lawful)  # read the PDF to say how
        problems += [f"{name}: {problem}" for problem in found]
        if not found:
            seals[sid] = entry
        report.levels[entry["level"]] += 1
        report.seals[sid] = (entry["level"], entry["expires"])
        if entry["level"] != "B-B" and (not report.renew or entry["expires"] < report.renew[0]):
            report.renew = (entry["expires"], sid)
    verified.save(config["CHECKPOINT_DIR"], keys, seals)
    return problems


@dataclass
class Rows:
    """What the rows say now: each record's digest and each archive entry's hash."""

    digests: dict
    entry_hashes: dict
    lawful: dict

    def still_match(self, submission_id, entry):
        """Tell whether a record validated before still matches the rows, unread."""
        seen = entry.get("witnesses")
        witnessed = (not seen or self.entry_hashes.get(seen["seq"]) == seen["entry_hash"]
                     or seen["entry_hash"] in self.lawful)
        return witnessed and self.digests.get(submission_id) == entry["record"]


def audit_report(db, config):
    """Return the problems of the audit log and its checkpoints."""
    return audit.problems(db) + checkpoints.problems(
        db, seal_keys.from_config(config), config["CHECKPOINT_DIR"], ("audit",),
        tsa=timestamps.from_config(config))
