"""Schema, as ordered sqlite-utils migrations applied by `flask --app consent init`."""
import hashlib
from pathlib import Path

from sqlite_utils.migrations import Migrations

migrations = Migrations("consent")


def write_once(db, table):
    """Add triggers that refuse UPDATE and DELETE on an append-only table."""
    for verb in ("UPDATE", "DELETE"):
        db.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} rows are write-once'); END"
        )


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
    write_once(db, "archive")


@migrations()
def m003_decisions(db):
    """Create the doctors' decisions, one per reviewed submission."""
    db["decisions"].create(
        {"submission_id": str, "outcome": str, "doctor": str, "note": str,
         "override_reason": str, "product": str, "batch": str, "decided_at": str},
        pk="submission_id", foreign_keys=[("submission_id", "submissions", "id")],
        not_null={"outcome", "doctor", "decided_at"},
    )


@migrations()
def m004_accounts(db):
    """Create users, server-side sessions, login failures and kiosks."""
    db["users"].create({"username": str, "role": str, "password_hash": str, "disabled": int,
                        "created_at": str}, pk="username", not_null={"role", "password_hash"},
                       defaults={"disabled": 0})
    db["sessions"].create({"token_hash": str, "username": str, "created_at": str,
                           "last_seen": str, "ended_at": str}, pk="token_hash",
                          foreign_keys=[("username", "users", "username")])
    db["login_failures"].create({"id": int, "username": str, "address": str, "at": str},
                                pk="id")
    db["login_failures"].create_index(["username", "at"])
    db["login_failures"].create_index(["address", "at"])
    db["kiosks"].create({"id": str, "name": str, "enrol_token_hash": str, "enrol_expires": str,
                         "token_hash": str, "created_at": str, "enrolled_at": str,
                         "revoked_at": str}, pk="id")
    db["kiosks"].create_index(["token_hash"], unique=True)


@migrations()
def m005_audit(db):
    """Create the append-only, hash-chained audit log."""
    db.execute(
        """
        CREATE TABLE audit (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            at TEXT NOT NULL, username TEXT, action TEXT NOT NULL, submission_id TEXT,
            detail TEXT NOT NULL DEFAULT '', prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL
        )
        """
    )
    write_once(db, "audit")


@migrations()
def m006_purges(db):
    """Let retention delete archive rows, but only those recorded as purged."""
    db.execute(
        """
        CREATE TABLE purges (
            submission_id TEXT PRIMARY KEY, entry_hash TEXT NOT NULL, prev_hash TEXT NOT NULL,
            purged_at TEXT NOT NULL
        )
        """
    )
    write_once(db, "purges")
    db.execute("DROP TRIGGER archive_no_delete")
    db.execute(
        "CREATE TRIGGER archive_no_delete BEFORE DELETE ON archive WHEN NOT EXISTS "
        "(SELECT 1 FROM purges WHERE submission_id = OLD.submission_id) "
        "BEGIN SELECT RAISE(ABORT, 'archive rows are write-once'); END"
    )


@migrations()
def m007_treatment_date_index(db):
    """Index treatment dates: the queue lists today's consents and search filters by date."""
    db["submissions"].create_index(["treatment_date", "status"])


@migrations()
def m008_name_search(db):
    """Index normalised patient names for full-text prefix search, kept in sync by triggers."""
    db["submissions"].enable_fts(["name_key"], create_triggers=True)


@migrations()
def m009_second_factor_and_links(db):
    """Add staff second factors, set-up links, session stages, tablet last use."""
    users = db["users"]
    users.add_column("totp_secret", str)
    users.add_column("totp_confirmed_at", str)
    users.add_column("totp_last_step", int)
    db["sessions"].add_column("stage", str)
    # Sessions opened with a password alone end: everyone logs in again with a second factor.
    db.execute("update sessions set stage = 'full', ended_at = coalesce(ended_at, "
               "strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))")
    db["sessions"].create_index(["username", "ended_at"])
    db["recovery_codes"].create({"code_hash": str, "username": str, "used_at": str},
                                pk="code_hash", foreign_keys=[("username", "users", "username")])
    db["setup_tokens"].create({"token_hash": str, "username": str, "created_at": str,
                               "expires_at": str}, pk="token_hash",
                              foreign_keys=[("username", "users", "username")])
    db["kiosks"].add_column("last_seen", str)
    db.execute("update kiosks set last_seen = coalesce(enrolled_at, created_at)")
    db["throttle_notices"].create({"key": str, "since": str, "count": int}, pk="key")


@migrations()
def m010_confusable_name_keys(db):
    """Recompute name keys with look-alike letters folded (Cyrillic о matches Latin o)."""
    from .names import name_key  # the key as the code computes it today
    for row in list(db["submissions"].rows_where(select="id, first_name, last_name")):
        db["submissions"].update(row["id"], {"name_key": name_key(row["first_name"],
                                                                  row["last_name"])})


@migrations()
def m011_information_version(db):
    """Record on each submission the SHA-256 of the treatment information the patient read."""
    db["submissions"].add_column("information_sha256", str)


@migrations()
def m012_ledger(db):
    """Hash-chain every submission and decision as written; enter the existing ones now."""
    from .chain import append
    from .ledger import DECISION_FIELDS, SUBMISSION_FIELDS, content_hash
    db.execute(
        """
        CREATE TABLE ledger (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, kind TEXT NOT NULL,
            subject_id TEXT NOT NULL, content_hash TEXT NOT NULL,
            prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL
        )
        """
    )
    db["ledger"].create_index(["kind", "subject_id"])
    write_once(db, "ledger")
    now = "migration m012"  # rows written before the ledger existed: entered as found
    for row in db["submissions"].rows_where(order_by="created_at"):
        append(db, "ledger", {"at": now, "kind": "submission", "subject_id": row["id"],
                              "content_hash": content_hash(row, SUBMISSION_FIELDS)})
    for row in db["decisions"].rows_where(order_by="decided_at"):
        append(db, "ledger", {"at": now, "kind": "decision", "subject_id": row["submission_id"],
                              "content_hash": content_hash(row, DECISION_FIELDS)})


@migrations()
def m013_signed_purges(db):
    """Sign purge records; allow records of purged submissions that were never archived."""
    db["purges"].add_column("signature", str)


@migrations()
def m014_timestamp_queue(db):
    """Queue consents sealed while the time-stamping authority was unreachable."""
    db.execute("CREATE TABLE timestamp_queue (submission_id TEXT PRIMARY KEY, "
               "queued_at TEXT NOT NULL)")


@migrations()
def m015_staff_names(db):
    """Give staff a full name and professional registration, printed on what they sign."""
    db["users"].add_column("full_name", str, not_null_default="")
    db["users"].add_column("registration", str, not_null_default="")


@migrations()
def m016_typed_signatures(db):
    """Record how each patient signed: drawn on the tablet, or their name typed."""
    db["submissions"].add_column("signature_kind", str, not_null_default="drawn")


@migrations()
def m017_deferrals(db):
    """Let a doctor defer a treatment until a date, with the reason as the note."""
    db["decisions"].add_column("deferred_until", str)


@migrations()
def m018_countersigning(db):
    """Add countersigned consents, treatment records and signing PINs.

    Cleared or approved submissions not yet archived now wait for a practitioner: they
    were never sealed, so no record may call them consented until someone countersigns.
    """
    db["consents"].create({"submission_id": str, "practitioner": str, "countersigned_at": str,
                           "identity_checked": int, "discussed": int, "answer_to_questions": str,
                           "signed_with": str},
                          pk="submission_id", foreign_keys=[("submission_id", "submissions", "id")],
                          not_null={"practitioner", "countersigned_at", "signed_with"})
    db["treatments"].create({"submission_id": str, "outcome": str, "practitioner": str,
                             "recorded_at": str, "details": str, "reason": str},
                            pk="submission_id",
                            foreign_keys=[("submission_id", "submissions", "id")],
                            not_null={"outcome", "practitioner", "recorded_at", "details"})
    db["users"].add_column("pin_hash", str)
    db.execute("update submissions set status = 'awaiting_consent' where status in "
               "('cleared', 'approved') and id not in (select submission_id from archive)")
    archive_holds_documents(db)


def archive_holds_documents(db):
    """Let the archive index documents ("<id>.treatment" too), not only submissions.

    SQLite cannot drop a foreign key in place: the table is rebuilt with the same rows,
    so every entry hash still holds, and its write-once triggers and sequence come back.
    """
    sequence = db.execute("select seq from sqlite_sequence where name = 'archive'").fetchone()
    db.execute("ALTER TABLE archive RENAME TO archive_before_m018")
    db.execute(
        """
        CREATE TABLE archive (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            submission_id TEXT NOT NULL UNIQUE,
            path TEXT NOT NULL, sha256 TEXT NOT NULL, size INTEGER NOT NULL,
            archived_at TEXT NOT NULL, prev_hash TEXT NOT NULL, entry_hash TEXT NOT NULL
        )
        """
    )
    db.execute("INSERT INTO archive SELECT * FROM archive_before_m018")
    for verb in ("update", "delete"):
        db.execute(f"DROP TRIGGER archive_no_{verb}")
    db.execute("DROP TABLE archive_before_m018")
    if sequence:  # a purged newest entry must not have its number given out again
        db.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'archive'", sequence)
    db.execute(
        "CREATE TRIGGER archive_no_update BEFORE UPDATE ON archive "
        "BEGIN SELECT RAISE(ABORT, 'archive rows are write-once'); END")
    db.execute(
        "CREATE TRIGGER archive_no_delete BEFORE DELETE ON archive WHEN NOT EXISTS "
        "(SELECT 1 FROM purges WHERE submission_id = OLD.submission_id) "
        "BEGIN SELECT RAISE(ABORT, 'archive rows are write-once'); END")


@migrations()
def m019_questionnaire_edition(db):
    """Record each submission's dictionary edition (before: 1) and a guardian's signature."""
    db["submissions"].add_column("edition", str, not_null_default="1")
    db["submissions"].add_column("guardian_signature", bytes)
    db["submissions"].add_column("guardian_signature_kind", str)  # drawn or typed


@migrations()
def m020_visits(db):
    """Add visits booked by reception, their patient links, the outbox and reaction reports.

    A consent may now carry a doctor's waiver of the cooling-off period.
    """
    db["visits"].create({"id": str, "first_name": str, "last_name": str, "date_of_birth": str,
                         "email": str, "phone": str, "treatment": str, "treatment_date": str,
                         "created_by": str, "created_at": str, "information_sent_at": str,
                         "opened_at": str, "submission_id": str, "arrival_confirmed_at": str},
                        pk="id", not_null={"first_name", "last_name", "date_of_birth",
                                           "treatment", "treatment_date", "created_at"})
    db["visits"].create_index(["treatment_date"])
    db["visits"].create_index(["submission_id"])
    db["patient_links"].create({"token_hash": str, "visit_id": str, "purpose": str,
                                "created_at": str, "expires_at": str, "used_at": str,
                                "failures": int, "locked_at": str},
                               pk="token_hash", foreign_keys=[("visit_id", "visits", "id")],
                               not_null={"visit_id", "purpose", "expires_at"},
                               defaults={"failures": 0})
    db["outbox"].create({"id": int, "to_address": str, "subject": str, "body": str,
                         "created_at": str, "attempts": int, "next_attempt_at": str,
                         "sent_at": str, "last_error": str}, pk="id",
                        not_null={"to_address", "subject", "created_at", "next_attempt_at"},
                        defaults={"attempts": 0})
    db["reactions"].create({"id": int, "submission_id": str, "reported_at": str, "what": str,
                            "area": str, "since": str, "photo": bytes, "urgent": int,
                            "seen_by": str, "seen_at": str}, pk="id",
                           foreign_keys=[("submission_id", "submissions", "id")],
                           not_null={"submission_id", "reported_at", "what"})
    db["consents"].add_column("cooling_off_waived_by", str)
    db["consents"].add_column("cooling_off_reason", str)


@migrations()
def m021_pin_failures(db):
    """Count signing-PIN failures apart from log-in failures (a wrong PIN locks signing only)."""
    db["login_failures"].add_column("kind", str, not_null_default="login")


@migrations()
def m022_reaction_signs(db):
    """Keep the clinic's signs a reaction report matched, and whether it is an emergency."""
    db["reactions"].add_column("emergency", int, not_null_default=0)
    db["reactions"].add_column("signs", str)


@migrations()
def m023_visit_times(db):
    """Give visits a time of day and a cancellation; tie each message to its visit."""
    db["visits"].add_column("visit_time", str)
    db["visits"].add_column("cancelled_at", str)
    db["outbox"].add_column("visit_id", str)
    db["outbox"].create_index(["visit_id"])


@migrations()
def m024_guardian_checked(db):
    """Record that the practitioner checked a minor's guardian and their responsibility."""
    db["consents"].add_column("guardian_checked", int)


@migrations()
def m025_information_texts(db):
    """Keep every version of the treatment information by its SHA-256, as patients read it."""
    db["information_texts"].create({"sha256": str, "source": str, "stored_at": str},
                                   pk="sha256", not_null={"source", "stored_at"})


@migrations()
def m026_capacity_and_interpreter(db):
    """Record at countersigning: capacity, voluntary consent, and any interpreter (issue 24)."""
    db["consents"].add_column("capacity_confirmed", int)
    db["consents"].add_column("interpreter", str)


@migrations()
def m027_information_as_read(db):
    """Keep the information as the patient read it; older rows kept the template they saw."""
    db["information_texts"].add_column("format", str, not_null_default="template")
    # Patients who answered before versions were kept read this template: keep it for them.
    former = (Path(__file__).parent / "former" / "treatment_information-2026-11-24.html")
    source = former.read_text()
    sha = hashlib.sha256(source.encode()).hexdigest()
    if db.execute("select 1 from submissions where information_sha256 = ?", [sha]).fetchone():
        db.execute("insert or ignore into information_texts (sha256, source, stored_at, format)"
                   " values (?, ?, '2026-11-24T00:00:00+00:00', 'template')", [sha, source])


@migrations()
def m028_doctors_advice_for_the_patient(db):
    """Let a doctor's decision carry advice for the patient, in the doctor's words."""
    db["decisions"].add_column("patient_advice", str)


@migrations()
def m029_photo_withdrawals(db):
    """Record each photo permission the patient withdraws later; never edited or deleted."""
    db["photo_withdrawals"].create({"id": int, "submission_id": str, "permission": str,
                                    "withdrawn_at": str}, pk="id",
                                   not_null={"submission_id", "permission", "withdrawn_at"},
                                   foreign_keys=[("submission_id", "submissions", "id")])
    db["photo_withdrawals"].create_index(["submission_id", "permission"], unique=True)
    write_once(db, "photo_withdrawals")


@migrations()
def m030_approval_with_changes(db):
    """Let a doctor approve with changes: areas left out, a lower needle depth."""
    db["decisions"].add_column("excluded_areas", str)
    db["decisions"].add_column("max_depth_mm", float)


@migrations()
def m031_the_patients_language(db):
    """Keep the language a patient read and answered in, its translation's status then,
    and the information as they read it in that language (None: the clinic's language)."""
    for column in ("language", "language_status", "translation_sha256"):
        db["submissions"].add_column(column, str)


@migrations()
def m032_the_language_of_a_visits_messages(db):
    """Let reception say which language a booked patient's messages are in (None: clinic's)."""
    db["visits"].add_column("language", str)
