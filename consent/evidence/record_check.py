"""Compare a sealed PDF's attached record with the rows it claims to record."""
import json

from ..intake import submissions
from ..practice import consents, treatments
from ..review import decisions
from . import documents


def witness_problems(db, record, lawful):
    """Check that the archive entry a record witnessed is still there, unchanged."""
    seen = record.get("witnesses")
    if not seen:
        return []
    row = next(db["archive"].rows_where("seq = ?", [seen["seq"]]), None)
    if (row and row["entry_hash"] == seen["entry_hash"]) or seen["entry_hash"] in lawful:
        return []
    return [f"it witnessed archive entry {seen['seq']}, which is "
            f"{'changed' if row else 'gone'} since"]


def record_parts(record, document_id=""):
    """Return the parts of a record that must match the rows (not what it witnessed)."""
    return documents.parts(document_id, record)


def as_json(record):
    """Return a record as reading its JSON back would give it."""
    return json.loads(json.dumps(record))


def consent_sha256(db, submission_id):
    """Return the archived hash of a submission's consent record, or None."""
    row = next(db["archive"].rows_where("submission_id = ?", [submission_id],
                                        select="sha256"), None)
    return row["sha256"] if row else None


def expected_record(db, document_id):
    """Return the record the rows say was sealed, as JSON would give it back; None if gone."""
    submission_id = documents.submission_of(document_id)
    if documents.is_treatment(document_id):
        treatment = treatments.get(db, submission_id)
        return treatment and as_json(documents.treatment_record(
            submission_id, treatment, consent_sha256(db, submission_id)))
    submission = submissions.get(db, submission_id)
    return submission and as_json(documents.consent_record(
        submission, decisions.get(db, submission_id), consents.get(db, submission_id)))


def record_problems(db, document_id, record, lawful=(), expected=None):
    """Compare a sealed PDF's attached record with the rows it claims; list differences."""
    if not isinstance(record, dict) or not isinstance(record.get("submission"), dict):
        return ["no readable attached record"]
    if record["submission"].get("id") != document_id:
        return [f"the PDF holds the record of submission {record['submission'].get('id')}"]
    expected = expected or expected_record(db, document_id)
    if expected is None:
        return ["its submission row is missing"]
    # Records sealed by older versions carry fewer submission keys: compare those they have.
    changed = [f"submission.{key}" for key, value in record["submission"].items()
               if expected["submission"].get(key) != value]
    changed += [part for part in record_parts(expected, document_id)
                if part != "submission" and expected.get(part) != record.get(part)]
    found = [f"rows differ from the sealed record: {', '.join(changed)}"] if changed else []
    return found + witness_problems(db, record, lawful)
