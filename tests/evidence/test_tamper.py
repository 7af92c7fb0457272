"""Tampering with the records, one row per attack: each is caught by `archive verify` or
`audit verify`, with a line naming the entry, submission, decision or checkpoint.

Attacks by an insider with the database file and the archive folder, as the security
reviews of 2026-11 and 2026-12 ran them. Each row is run on an instance with an off-host
witness, and its verdict checked with and without the witness: the host alone catches
these. The rows that only a witness catches (a rollback of the whole host, a checkpoint
tail cut short, the key's holder signing again) are in test_witness.py."""
import hashlib
import json
import os
import re
from io import BytesIO
from pathlib import Path

import pytest

from consent.evidence import checkpoints, witness
from consent.kernel import chain
from consent.kernel.storage import connect

from conftest import assert_pdf_a_3b, enrolled_client, valid_form


def rows(db):
    return list(db["archive"].rows_where(order_by="seq"))


def unlocked(db, table):
    """Drop a table's write-once triggers, as an attacker with the file can."""
    for verb in ("update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def rehash(db, table):
    """Recompute a whole hash chain, so it is consistent again after an edit."""
    unlocked(db, table)
    previous = chain.GENESIS
    for row in db[table].rows_where(order_by="seq"):
        row["prev_hash"] = previous
        row["entry_hash"] = chain.row_hash(row)
        db[table].update(row["seq"], {"prev_hash": row["prev_hash"],
                                      "entry_hash": row["entry_hash"]})
        previous = row["entry_hash"]


def pdf_path(app, row):
    path = Path(app.config["ARCHIVE_DIR"]) / row["path"]
    os.chmod(path, 0o600)
    return path


def flip_a_byte(app, db):
    path = pdf_path(app, rows(db)[0])
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def plant_a_timestamped_revision(app, db):
    """A 'revision' slipped in beside a record, with no ledger entry behind it."""
    path = pdf_path(app, rows(db)[0])
    path.with_name(f"{path.stem}.ts1.pdf").write_bytes(path.read_bytes() + b"%% extra\n")


def append_an_update(app, db):
    """An incremental update after the seal (the seal alone would still hold)."""
    from pypdf import PdfWriter
    path = pdf_path(app, rows(db)[1])
    writer = PdfWriter(BytesIO(path.read_bytes()), incremental=True)
    writer.add_metadata({"/Title": "changed"})
    out = BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())


def swap_two_files(app, db):
    first, second = (pdf_path(app, row) for row in rows(db)[:2])
    a, b = first.read_bytes(), second.read_bytes()
    first.write_bytes(b)
    second.write_bytes(a)


def edit_an_archive_row(app, db):
    unlocked(db, "archive")
    db.execute("update archive set archived_at = '2020-01-01T00:00:00+00:00' where seq = 2")


def swap_files_and_rows_then_rehash(app, db):
    """Case K: Grace's entry serves Mary's sealed PDF; hashes and sizes made consistent."""
    swap_two_files(app, db)
    unlocked(db, "archive")
    for row in rows(db)[:2]:
        data = (Path(app.config["ARCHIVE_DIR"]) / row["path"]).read_bytes()
        db["archive"].update(row["seq"], {"sha256": hashlib.sha256(data).hexdigest(),
                                          "size": len(data)})
    rehash(db, "archive")


def turn_a_decline_into_an_approval(app, db):
    """Case J, without the re-seal: the decision row is rewritten after sealing."""
    declined = next(db["decisions"].rows_where("outcome = 'declined'"))["submission_id"]
    db["decisions"].update(declined, {"outcome": "approved", "doctor": "dr.nobody"})
    db["submissions"].update(declined, {"status": "approved"})


def rewrite_sealed_answers(app, db):
    """An answer changed in the database after its consent was sealed."""
    row = next(db["submissions"].rows_where("first_name = 'Grace'"))
    answers = json.loads(row["answers"])
    answers["cold_sore_history"] = "no"
    db["submissions"].update(row["id"], {"answers": json.dumps(answers)})


def clear_a_flagged_submission_then_retry(app, db):
    """Case M: before anyone saw it, a flagged submission is made 'consented' and retried."""
    client = enrolled_client(app)
    client.post("/", data=valid_form(first_name="Alan", signed_name="Alan Lovelace",
                                     cold_sore_now="yes"))
    row = next(db["submissions"].rows_where("first_name = 'Alan'"))
    evaluation = json.loads(row["evaluation"])
    evaluation.update(flags=[], status="cleared")
    answers = json.loads(row["answers"])
    answers["cold_sore_now"] = "no"
    db["submissions"].update(row["id"], {"status": "consented", "answers": json.dumps(answers),
                                         "evaluation": json.dumps(evaluation)})
    assert app.test_cli_runner().invoke(args=["archive", "retry"]).exit_code == 0
    assert not db["archive"].count_where("submission_id = ?", [row["id"]])  # never sealed


def countersign_behind_the_services_back(app, db):
    """A countersignature written straight into the database for a waiting patient."""
    client = enrolled_client(app)
    client.post("/", data=valid_form(first_name="Alan", signed_name="Alan Lovelace"))
    alan = next(db["submissions"].rows_where("first_name = 'Alan'"))["id"]
    db["consents"].insert({"submission_id": alan, "practitioner": "nurse.joy",
                           "countersigned_at": "2026-07-02T09:00:00+00:00", "identity_checked": 1,
                           "discussed": 1, "answer_to_questions": "", "signed_with": "pin"})
    db["submissions"].update(alan, {"status": "consented"})


def rewrite_a_treatment_record(app, db):
    """The depth and device of a sealed treatment changed in the database."""
    row = next(db["treatments"].rows)
    details = json.loads(row["details"])
    details["areas"][0]["needle_depth_mm"] = 0.25
    db["treatments"].update(row["submission_id"], {"details": json.dumps(details)})


def mark_a_consent_treated_without_a_record(app, db):
    """Grace's status says treated, though no treatment was ever recorded."""
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    db["submissions"].update(grace, {"status": "treated"})


def delete_a_submission_and_its_decision(app, db):
    """A decided submission removed from the database, its PDF left behind."""
    mary = next(db["submissions"].rows_where("first_name = 'Mary'"))["id"]
    unlocked(db, "archive")
    db["archive"].delete_where("submission_id = ?", [mary])
    db["decisions"].delete_where("submission_id = ?", [mary])
    db["submissions"].delete(mary)
    rehash(db, "archive")


def delete_the_newest_consent(app, db):
    """Case E: the newest archive entry and its PDF removed, triggers put back after."""
    newest = rows(db)[-1]
    unlocked(db, "archive")
    db["archive"].delete(newest["seq"])
    db.execute("DELETE FROM sqlite_sequence WHERE name = 'archive'")  # hide the gap too
    pdf_path(app, newest).unlink()


def delete_the_last_audit_rows(app, db):
    """Case G: the newest audit rows removed (who looked, who decided)."""
    unlocked(db, "audit")
    last = max(row["seq"] for row in db["audit"].rows)
    db.execute("DELETE FROM audit WHERE seq > ?", [last - 5])


def rewrite_a_doctor_in_the_audit_log(app, db):
    """Case H: a decision's audit row names another doctor; every hash recomputed."""
    unlocked(db, "audit")
    db.execute("UPDATE audit SET username = 'dr.nobody' WHERE action = 'decision'")
    rehash(db, "audit")


def remove_the_views_and_rehash(app, db):
    """Case I: who viewed and downloaded what, deleted, and the chain made whole again."""
    unlocked(db, "audit")
    db.execute("DELETE FROM audit WHERE action IN ('submission_viewed', 'pdf_downloaded', "
               "'login')")
    rehash(db, "audit")


def edit_a_checkpoint(app, db):
    """The checkpoint log itself edited to agree with a rewritten chain."""
    log = Path(app.config["CHECKPOINT_DIR"]) / "checkpoints.jsonl"
    lines = log.read_text().splitlines()
    last = json.loads(lines[-1])
    last["heads"]["audit"][1] = "0" * 64
    log.write_text("\n".join(lines[:-1] + [json.dumps(last, sort_keys=True)]) + "\n")


def drop_a_checkpoint(app, db):
    """A line removed from the middle of the checkpoint log."""
    log = Path(app.config["CHECKPOINT_DIR"]) / "checkpoints.jsonl"
    lines = log.read_text().splitlines()
    log.write_text("\n".join(lines[:1] + lines[2:]) + "\n")


def forge_a_purge_to_delete_from_the_middle(app, db):
    """Case F: no trigger touched; a purges row written by hand admits the deletion."""
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    entry = next(db["archive"].rows_where("submission_id = ?", [grace]))
    db.execute("INSERT INTO purges (submission_id, entry_hash, prev_hash, purged_at) "
               "VALUES (?, ?, ?, '2036-01-01T00:00:00+00:00')",
               [grace, entry["entry_hash"], entry["prev_hash"]])
    db["archive"].delete_where("submission_id = ?", [grace])
    db["decisions"].delete_where("submission_id = ?", [grace])
    db["consents"].delete_where("submission_id = ?", [grace])
    db["submissions"].delete(grace)
    pdf_path(app, entry).unlink()


def delete_the_checkpoint_log(app, db):
    """The whole checkpoint log removed."""
    (Path(app.config["CHECKPOINT_DIR"]) / "checkpoints.jsonl").unlink()


def rewrite_history_and_drop_the_checkpoints(app, db):
    """The first entry rewritten, every hash recomputed, the checkpoint log emptied."""
    unlocked(db, "archive")
    db.execute("update archive set archived_at = '2020-01-01T00:00:00+00:00' where seq = 1")
    rehash(db, "archive")
    (Path(app.config["CHECKPOINT_DIR"]) / "checkpoints.jsonl").write_text("")


AUDIT = {  # attack -> what `audit verify` must say
    delete_the_last_audit_rows: "audit: entries",
    rewrite_a_doctor_in_the_audit_log: "differs from checkpoint",
    remove_the_views_and_rehash: "differs from checkpoint",
    edit_a_checkpoint: "signature does not hold",
    drop_a_checkpoint: "numbered 3 (lines missing or reordered)",
}
ATTACKS = {  # attack -> what `archive verify` must say
    flip_a_byte: "file content differs from the archived hash",
    append_an_update: "bytes were added after sealing",
    plant_a_timestamped_revision: "unindexed file",
    swap_two_files: "file content differs from the archived hash",
    edit_an_archive_row: "entry fields do not match its hash",
    swap_files_and_rows_then_rehash: "the PDF holds the record of submission",
    turn_a_decline_into_an_approval: "rows differ from the sealed record: submission.status, "
                                     "decision",
    rewrite_sealed_answers: "rows differ from the sealed record: answers",
    clear_a_flagged_submission_then_retry: "changed after it was written (ledger entry",
    countersign_behind_the_services_back: "not in the ledger (written behind the service's back)",
    rewrite_a_treatment_record: "rows differ from the sealed record: treatment",
    mark_a_consent_treated_without_a_record: "status treated but its ledger says consented",
    delete_a_submission_and_its_decision: "deleted (ledger entry",
    delete_the_newest_consent: "archive: entries 4 to 4 are missing",
    forge_a_purge_to_delete_from_the_middle: "not signed with the seal key; it bridges nothing",
    delete_the_checkpoint_log: "no checkpoint log",
    rewrite_history_and_drop_the_checkpoints: "it witnessed archive entry 1, which is changed",
}


TABLE = [("archive", attack, said) for attack, said in ATTACKS.items()] + \
    [("audit", attack, said) for attack, said in AUDIT.items()]


@pytest.fixture
def witnessed(world, witness_config):
    """The same copy, its newest checkpoint line held by an off-host witness."""
    app, db = world
    app.config.update(witness_config)
    folder = app.config["CHECKPOINT_DIR"]
    newest = (Path(folder) / checkpoints.LOG).read_bytes().splitlines()[-1]
    witness.enqueue(folder, json.loads(newest)["n"], newest)
    assert witness.send(app.config, folder) == (1, 0)
    return app, db


@pytest.mark.parametrize("log, attack, said", TABLE, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.slow
def test_verify_catches_with_and_without_a_witness(witnessed, log, attack, said):
    app, db = witnessed
    runner = app.test_cli_runner()
    assert runner.invoke(args=[log, "verify"]).exit_code == 0
    attack(app, connect(app.config["DATABASE"]))
    result = runner.invoke(args=[log, "verify"])
    assert result.exit_code == 1 and said in result.output, result.output
    assert "No off-host witness" not in result.output
    assert re.search(r"(entry \d+|(submission|decision|consent|treatment) [\w-]+|checkpoint)",
                     result.output)  # each line names what it is about
    bucket, app.config["WITNESS_BUCKET"] = app.config["WITNESS_BUCKET"], None
    blind = runner.invoke(args=[log, "verify"])  # the host alone catches these rows too
    app.config["WITNESS_BUCKET"] = bucket
    assert blind.exit_code == 1 and said in blind.output, blind.output


@pytest.mark.slow  # seals: the shared sealed instance, or records of its own
def test_a_line_cut_short_by_a_power_cut_is_named_and_the_log_goes_on(world):
    app, db = world
    runner = app.test_cli_runner()
    log = Path(app.config["CHECKPOINT_DIR"]) / "checkpoints.jsonl"
    runner.invoke(args=["audit", "verify"])
    with open(log, "ab") as handle:
        handle.write(b'{"n": 99, "heads": {"archi')  # the power went here
    client = enrolled_client(app)  # the next write follows the last whole line
    client.post("/", data=valid_form(first_name="Emmy", signed_name="Emmy Lovelace"))
    result = runner.invoke(args=["audit", "verify"])
    assert "unreadable (cut short by a power cut while writing, or edited)" in result.output
    assert "numbered" not in result.output and "does not follow" not in result.output
    assert "signature does not hold" not in result.output


@pytest.mark.slow  # seals: the shared sealed instance, or records of its own
def test_every_kind_of_record_stays_pdf_a_3b(world):
    app, db = world
    statuses = set()
    for row in db.query("select a.path, s.status from archive a join submissions s "
                        "on a.submission_id in (s.id, s.id || '.treatment')"):
        data = (Path(app.config["ARCHIVE_DIR"]) / row["path"]).read_bytes()
        treatment = row["path"].endswith(".treatment.pdf")
        assert_pdf_a_3b(data, ("treatment-record.json",) if treatment else
                        ("consent-record.json", "fhir-bundle.json"))
        statuses.add(("treatment record of " if treatment else "") + row["status"])
    assert statuses == {"treated", "treatment record of treated", "consented", "declined"}
