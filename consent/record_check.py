"""Compare a sealed PDF's attached record with the rows it claims to record."""
import json

from . import decisions, submissions
from .chain import digest
from .finalise import machine_record


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


def record_parts(record):
    """Return the parts of a record that must match the rows (not what it witnessed)."""
    return {part: record.get(part) for part in ("submission", "answers", "evaluation",
                                                "decision")}


def expected_record(db, submission_id):
    """Return the record the rows say was sealed, as JSON would give it back; None if gone."""
    submission = submissions.get(db, submission_id)
    if submission is None:
        return None
    return json.loads(json.dumps(machine_record(submission, decisions.get(db, submission_id))))


def expected_digests(db):
    """Map every submission to the digest of the record its rows say was sealed."""
    decided = {row["submission_id"]: decisions.as_recorded(row) for row in db["decisions"].rows}
    found = {}
    for row in db["submissions"].rows:
        submission = {**row, "answers": json.loads(row["answers"]),
                      "evaluation": json.loads(row["evaluation"])}
        found[row["id"]] = digest(record_parts(machine_record(submission,
                                                              decided.get(row["id"]))))
    return found


def record_problems(db, submission_id, record, lawful=(), expected=None):
    """Compare a sealed PDF's attached record with the rows it claims; list differences."""
    if not isinstance(record, dict) or not isinstance(record.get("submission"), dict):
        return ["no readable attached record"]
    if record["submission"].get("id") != submission_id:
        return [f"the PDF holds the record of submission {record['submission'].get('id')}"]
    expected = expected or expected_record(db, submission_id)
    if expected is None:
        return ["its submission row is missing"]
    # Records sealed by older versions carry fewer submission keys: compare those they have.
    changed = [f"submission.{key}" for key, value in record["submission"].items()
               if expected["submission"].get(key) != value]
    changed += [part for part in ("answers", "evaluation", "decision")
                if expected[part] != record.get(part)]
    found = [f"rows differ from the sealed record: {', '.join(changed)}"] if changed else []
    return found + witness_problems(db, record, lawful)
