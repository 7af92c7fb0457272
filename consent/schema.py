"""Schema, as ordered sqlite-utils migrations applied by `flask --app consent init`."""
from sqlite_utils.migrations import Migrations

migrations = Migrations("consent")


@migrations()
def m001_submissions(db):
    """Create the submissions table with the columns doctors search by."""
    db["submissions"].create(
        {
            "id": str,
            "created_at": str,
            "first_name": str,
            "last_name": str,
            "name_key": str,
            "date_of_birth": str,
            "treatment": str,
            "treatment_date": str,
            "answers": str,
            "signature": bytes,
            "signed_at": str,
            "status": str,
            "evaluation": str,
            "ruleset_version": str,
            "ruleset_sha256": str,
        },
        pk="id",
        not_null={"created_at", "first_name", "last_name", "name_key", "date_of_birth",
                  "treatment", "treatment_date", "answers", "status"},
    )
    table = db["submissions"]
    table.create_index(["name_key", "date_of_birth"])
    table.create_index(["last_name", "first_name"])
    table.create_index(["date_of_birth"])
    table.create_index(["status", "created_at"])
    table.create_index(["created_at"])


@migrations()
def m002_archive(db):
    """Create the write-once, hash-chained archive index."""
    db.execute(
        """
        CREATE TABLE archive (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            submission_id TEXT NOT NULL UNIQUE REFERENCES submissions(id),
            path TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            size INTEGER NOT NULL,
            archived_at TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            entry_hash TEXT NOT NULL
        )
        """
    )
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER archive_no_{verb.lower()} BEFORE {verb} ON archive "
            f"BEGIN SELECT RAISE(ABORT, 'archive rows are write-once'); END"
        )


@migrations()
def m003_decisions(db):
    """Create the doctors' decisions, one per reviewed submission."""
    db["decisions"].create(
        {"submission_id": str, "outcome": str, "doctor": str, "note": str,
         "override_reason": str, "product": str, "batch": str, "decided_at": str},
        pk="submission_id", foreign_keys=[("submission_id", "submissions", "id")],
        not_null={"outcome", "doctor", "decided_at"},
    )
