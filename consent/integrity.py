"""Everything `archive verify` and `audit verify` check, gathered in one place."""
from functools import partial

from . import archive, audit, checkpoints, ledger, purges, seal
from .finalise import awaiting_retry, record_problems


def archive_report(db, config):
    """Return (files awaiting retry, problems) of the archive, ledger and purge records."""
    seal_dir, archive_dir = config["SEAL_DIR"], config["ARCHIVE_DIR"]
    awaiting = awaiting_retry(db, archive_dir, seal_dir)
    problems = purges.problems(db, seal_dir)
    sound = purges.sound(db, seal_dir)
    lawful = purges.bridges(sound)
    problems += archive.verify(db, archive_dir, partial(seal.problems, seal_dir=seal_dir),
                               lawful, awaiting, partial(record_problems, db, lawful=lawful))
    problems += ledger.problems(db, {row["submission_id"] for row in sound})
    problems += checkpoints.problems(db, seal_dir, config["CHECKPOINT_DIR"],
                                     ("archive", "ledger"), set(lawful))
    return awaiting, problems


def audit_report(db, config):
    """Return the problems of the audit log and its checkpoints."""
    return audit.problems(db) + checkpoints.problems(db, config["SEAL_DIR"],
                                                     config["CHECKPOINT_DIR"], ("audit",))
