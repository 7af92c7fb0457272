"""Everything `archive verify` and `audit verify` check, gathered in one place."""
from collections import Counter
from dataclasses import dataclass, field

from ..kernel import audit, ledger
from ..kernel.chain import digest
from . import archive_check, checkpoints, documents, purges, verified, witness
from .finalise import awaiting_retry
from .pdf import attached_record
from .record_check import record_problems
from .seal import keys as seal_keys, timestamps


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
    ledger_problems, concerned, fingerprints = ledger.report(
        db, {row["submission_id"] for row in sound})
    rows = Rows(fingerprints, concerned,
                dict(db.execute("select seq, entry_hash from archive").fetchall()),
                dict(db.execute("select submission_id, sha256 from archive").fetchall()), lawful)
    report.problems += seal_and_record_problems(db, config, files, rows, report, full, workers)
    report.problems += ledger_problems
    report.problems += checkpoints.problems(db, keys, config["CHECKPOINT_DIR"],
                                            ("archive", "ledger"), set(lawful), tsa)
    report.problems += witnessed_problems(db, config, ("archive", "ledger"), set(lawful))
    return report


def witnessed_problems(db, config, chains, purged=()):
    """Check the log and the chains against the newest line the off-host witness holds."""
    if not witness.configured(config):
        return []
    lines = checkpoints.read_lines(config["CHECKPOINT_DIR"])
    found, line = witness.log_problems(config, lines)
    if line is not None:
        for table in chains:
            found += [f"witness: {problem}" for problem in
                      checkpoints.chain_problems(db, [(None, line)], table, purged)]
        if "archive" in chains:
            found += [f"witness: {p}" for p in checkpoints.unwitnessed_purges(db, line)]
    return found


def seal_and_record_problems(db, config, files, rows, report, full, workers):
    """Validate new seals (all with full), compare every record with its rows."""
    lawful = rows.lawful
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    known = {} if full else verified.load(config["CHECKPOINT_DIR"], keys)
    todo = [(row, path) for row, path, _, sha in files
            if known.get(row["submission_id"], {}).get("sha256") != sha]
    results = dict(zip((row["submission_id"] for row, _ in todo),
                       verified.inspect_all([str(path) for _, path in todo], keys, tsa,
                                            workers)))
    report.validated, problems, seals = len(todo), [], {}
    for row, path, data, sha in files:
        sid, name = row["submission_id"], f"entry {row['seq']} ({row['submission_id']})"
        if sid in results:
            check, record = results[sid]
            found = check.problems + record_problems(db, sid, record, lawful)
            entry = {"sha256": sha, "level": check.level, "expires": check.expires,
                     "rows": rows.fingerprint(sid),
                     "witnesses": (record or {}).get("witnesses")}
        else:
            entry = known[sid]
            found = [] if rows.still_match(sid, entry) else record_problems(
                db, sid, attached_record(data), lawful)  # read the PDF to say how
            entry = {**entry, "rows": rows.fingerprint(sid)}
        problems += [f"{name}: {problem}" for problem in found]
        if not found:
            seals[sid] = entry
        report.levels[entry["level"]] += 1
        report.seals[sid] = (entry["level"], entry["expires"])
        if entry["level"] != "B-B" and (not report.renew or entry["expires"] < report.renew[0]):
            report.renew = (entry["expires"], sid)
    if seals != known:  # unchanged: no need to sign and rewrite the same record
        verified.save(config["CHECKPOINT_DIR"], keys, seals)
    return problems


@dataclass
class Rows:
    """What the ledger vouches for now, and each archive entry's hash."""

    fingerprints: dict  # (subject, kind): the content hash of its ledger entry
    concerned: set | None  # submissions whose rows differ from the ledger (None: any)
    entry_hashes: dict  # archive seq: entry hash
    archived: dict  # document id: SHA-256 of its first file
    lawful: dict

    def fingerprint(self, document_id):
        """Digest the ledger entries a document's record was compared with."""
        sid = documents.submission_of(document_id)
        if documents.is_treatment(document_id):
            return digest([self.fingerprints.get((sid, "treatment")), self.archived.get(sid)])
        return digest([self.fingerprints.get((sid, kind))
                       for kind in ("submission", "decision", "consent")])

    def still_match(self, document_id, entry):
        """Tell whether a record validated before still matches the rows, unread.

        It does when the ledger entries it was compared with are the same, and the rows
        still match those entries (ledger.report names every submission where they do not).
        """
        seen = entry.get("witnesses")
        witnessed = (not seen or self.entry_hashes.get(seen["seq"]) == seen["entry_hash"]
                     or seen["entry_hash"] in self.lawful)
        sid = documents.submission_of(document_id)
        trusted = self.concerned is not None and sid not in self.concerned
        return witnessed and trusted and entry.get("rows") == self.fingerprint(document_id)


def audit_report(db, config):
    """Return the problems of the audit log and its checkpoints."""
    return audit.problems(db) + checkpoints.problems(
        db, seal_keys.from_config(config), config["CHECKPOINT_DIR"], ("audit",),
        tsa=timestamps.from_config(config)) + witnessed_problems(db, config, ("audit",))
