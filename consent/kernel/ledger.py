"""The ledger: every submission, decision, consent and treatment hash-chained when written.

A row edited in the database afterwards (an answer, a flag, a decision, a status) no
longer matches its ledger entry, whether or not it was ever sealed into a PDF.
"""
import hashlib
import json

from . import chain, clock

# What a submission was when the patient sent it; status moves on with decisions.
SUBMISSION_FIELDS = ("id", "created_at", "signed_at", "first_name", "last_name",
                     "date_of_birth", "treatment", "treatment_date", "answers", "signature",
                     "evaluation", "ruleset_version", "ruleset_sha256", "information_sha256",
                     "signature_kind", "edition", "guardian_signature",
                     "guardian_signature_kind", "language", "language_status",
                     "translation_sha256")
# A field at its default is left out of the hash, so rows written before it existed
# still match their entries; any other value is covered.
DEFAULTS = {"signature_kind": "drawn", "deferred_until": None, "edition": "1",
            "guardian_signature": None, "guardian_signature_kind": None,
            "cooling_off_waived_by": None, "cooling_off_reason": None, "guardian_checked": None,
            "capacity_confirmed": None, "interpreter": None, "patient_advice": None,
            "excluded_areas": None, "max_depth_mm": None, "language": None,
            "language_status": None, "translation_sha256": None}
DECISION_FIELDS = ("submission_id", "outcome", "doctor", "note", "override_reason", "product",
                   "batch", "decided_at", "deferred_until", "patient_advice", "excluded_areas",
                   "max_depth_mm")
CONSENT_FIELDS = ("submission_id", "practitioner", "countersigned_at", "identity_checked",
                  "discussed", "answer_to_questions", "signed_with", "cooling_off_waived_by",
                  "cooling_off_reason", "guardian_checked", "capacity_confirmed", "interpreter")
TREATMENT_FIELDS = ("submission_id", "outcome", "practitioner", "recorded_at", "details",
                    "reason")
# kind: (table, its key, the fields its entry covers)
KINDS = {"submission": ("submissions", "id", SUBMISSION_FIELDS),
         "decision": ("decisions", "submission_id", DECISION_FIELDS),
         "consent": ("consents", "submission_id", CONSENT_FIELDS),
         "treatment": ("treatments", "submission_id", TREATMENT_FIELDS)}


def content_hash(row, fields):
    """Hash the fields of a row canonically (bytes as their SHA-256)."""
    values = {k: hashlib.sha256(v).hexdigest() if isinstance(v, bytes) else v
              for k, v in row.items() if k in fields and not (k in DEFAULTS and DEFAULTS[k] == v)}
    text = json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def append(db, kind, row):
    """Record a row of one of the KINDS as written; the caller holds the write lock."""
    _, key, fields = KINDS[kind]
    subject = row[key]
    return chain.append(db, "ledger", {"at": clock.iso(clock.now()), "kind": kind,
                                       "subject_id": subject,
                                       "content_hash": content_hash(row, fields)})


def entries(db, kind):
    """Map each subject to its ledger entry of that kind."""
    return {row["subject_id"]: row for row in db["ledger"].rows_where("kind = ?", [kind])}


def row_problems(recorded, db, kind, table, key, fields, removed):
    """Compare every row of a table with its ledger entry; yield (subject, problem)."""
    seen = set()
    for row in db[table].rows:
        seen.add(row[key])
        entry = recorded.get(row[key])
        if entry is None:
            yield row[key], f"{kind} {row[key]}: not in the ledger (written behind the " \
                            f"service's back)"
        elif entry["content_hash"] != content_hash(row, fields):
            yield row[key], f"{kind} {row[key]}: changed after it was written (ledger entry " \
                            f"{entry['seq']})"
    for subject in set(recorded) - seen - removed:
        yield subject, f"{kind} {subject}: deleted (ledger entry {recorded[subject]['seq']})"


def expected_status(row, decided, signed, done, archived):
    """Return the status a submission's rows imply (a status edited by hand differs)."""
    if row["id"] in done:
        return done[row["id"]]
    if row["id"] in signed:
        return "consented"
    verdict = decided.get(row["id"], json.loads(row["evaluation"])["status"])
    if verdict in ("approved", "cleared"):
        # Sealed before countersigning existed, a record keeps its old status.
        return verdict if row["id"] in archived and row["status"] == verdict \
            else "awaiting_consent"
    return verdict


def status_problems(db):
    """Name each submission whose status is not what its rows imply."""
    decided = {row["submission_id"]: row["outcome"] for row in db["decisions"].rows}
    signed = {row["submission_id"] for row in db["consents"].rows}
    done = {row["submission_id"]: row["outcome"] for row in db["treatments"].rows}
    archived = {row[0] for row in db.execute("select submission_id from archive")}
    for row in db["submissions"].rows_where(select="id, status, evaluation"):
        expected = expected_status(row, decided, signed, done, archived)
        if row["status"] != expected:
            yield row["id"], (f"submission {row['id']}: status {row['status']} but its ledger "
                              f"says {expected}")


def problems(db, removed=()):
    """List edited, inserted or deleted rows, broken links and impossible statuses."""
    return report(db, removed)[0]


def report(db, removed=()):
    """Return problems, the submissions they concern (None: the chain is broken, so any),
    and each (subject, kind)'s ledger content hash.

    removed names the submissions a signed purge record lawfully deleted.
    """
    removed = set(removed)
    found = [f"ledger entry {row['seq']}: {problem}" for row, problem in chain.problems(db,
                                                                                       "ledger")]
    concerned = None if found else set()  # a broken chain vouches for no subject
    pairs, fingerprints = [], {}
    for kind, (table, key, fields) in KINDS.items():
        recorded = entries(db, kind)
        fingerprints.update(((subject, kind), entry["content_hash"])
                            for subject, entry in recorded.items())
        pairs += row_problems(recorded, db, kind, table, key, fields, removed)
    pairs += status_problems(db)
    if concerned is not None:
        concerned.update(subject for subject, _ in pairs)
    return found + [problem for _, problem in pairs], concerned, fingerprints
