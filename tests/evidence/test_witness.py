"""The off-host witness: what no check on the host can catch, caught (the red team's table).

A real S3-compatible server (moto in server mode) on 127.0.0.1 holds the checkpoint lines
under Object Lock in compliance mode. Each attack below passes `archive verify` and
`audit verify` without a witness (asserted first, so each test shows its attack is real)
and is reported with one.
"""
import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from consent.evidence import checkpoints, retention, witness
from consent.evidence.seal import keys
from consent.instance import anchor
from consent.kernel import chain
from consent.kernel.storage import connect

from conftest import config_for, countersign, enrolled_client, make_app, staff_client, valid_form

pytestmark = pytest.mark.slow


@pytest.fixture
def clinic(tmp_path, witness_config):
    """An instance with a witness, three consents sealed and witnessed, and a snapshot of
    its database, archive and checkpoint log after the first two."""
    app = make_app(config_for(tmp_path, **witness_config))
    db = connect(app.config["DATABASE"])
    tablet = enrolled_client(app)
    for name in ("Ada", "Grace", "Mary"):
        assert tablet.post("/", data=valid_form(first_name=name, signed_name=f"{name} "
                                                "Lovelace")).status_code == 302
        sid = next(db.query("select id from submissions order by created_at desc, rowid desc "
                            "limit 1"))["id"]
        countersign(app, db, sid)
        anchor(app.config)  # what the request's teardown does after a countersignature
        if name == "Grace":
            snapshot(app, db, tmp_path / "before-mary")
    assert sent(app) > 0
    db.conn.close()
    return app, tmp_path, tmp_path / "before-mary"


def snapshot(app, db, to):
    """Copy the database (through SQLite's backup), the archive and the checkpoint log."""
    to.mkdir()
    copy = sqlite3.connect(to / "consent.sqlite")
    db.conn.backup(copy)
    copy.close()
    for name in ("ARCHIVE_DIR", "CHECKPOINT_DIR"):
        shutil.copytree(app.config[name], to / Path(app.config[name]).name)


def sent(app):
    result = app.test_cli_runner().invoke(args=["witness", "send"])
    assert result.exit_code == 0, result.output
    return int(result.output.split()[0])


def verify(app, *command):
    """Run a verify command; return (exit code, output)."""
    result = app.test_cli_runner().invoke(args=list(command))
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def blind(app):
    """The same verify, with the witness's settings removed: what the host alone can tell."""
    saved = app.config["WITNESS_BUCKET"]
    app.config["WITNESS_BUCKET"] = None
    try:
        return (verify(app, "archive", "verify")[0], verify(app, "audit", "verify")[0])
    finally:
        app.config["WITNESS_BUCKET"] = saved


def roll_back(folder, older, checkpoints_too=True):
    """Put the database and archive (and the checkpoint log) back as they were."""
    for name in ("consent.sqlite", "archive") + (("checkpoints",) if checkpoints_too else ()):
        target = folder / name
        shutil.rmtree(target) if target.is_dir() else target.unlink(missing_ok=True)
        source = older / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target)
    for suffix in ("-wal", "-shm"):
        (folder / f"consent.sqlite{suffix}").unlink(missing_ok=True)


def re_sign_log(app):
    """What the seal key's holder can do: a fresh checkpoint log for the chains as they are."""
    shutil.rmtree(app.config["CHECKPOINT_DIR"])
    db = connect(app.config["DATABASE"])
    checkpoints.write(db, keys.from_config(app.config), app.config["CHECKPOINT_DIR"])
    db.conn.close()


def test_a_sound_witnessed_instance_verifies(clinic):
    app, _, _ = clinic
    code, out = verify(app, "archive", "verify")
    assert code == 0 and "Off-host witness: checked; 0 checkpoint lines wait" in out
    assert verify(app, "audit", "verify")[0] == 0


def test_the_checkpoint_tail_cut_short(clinic):
    app, folder, _ = clinic
    log = folder / "checkpoints" / checkpoints.LOG
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(b"".join(lines[:-3]))
    assert blind(app) == (0, 0)
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "lines" in out and "are missing: the witness holds checkpoint" in out
    assert verify(app, "audit", "verify")[0] == 1


def test_the_tail_and_the_newest_rows_of_every_chain_cut_away(clinic):
    app, folder, older = clinic
    roll_back(folder, older, checkpoints_too=False)
    log = folder / "checkpoints" / checkpoints.LOG
    kept = len((older / "checkpoints" / checkpoints.LOG).read_bytes().splitlines())
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:kept]))
    assert blind(app) == (0, 0)
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "witness: archive: entries" in out and "witness: ledger" in out


def test_the_whole_host_rolled_back_together(clinic):
    app, folder, older = clinic
    roll_back(folder, older)
    assert blind(app) == (0, 0)
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "the host rolled back" in out
    code, out = verify(app, "audit", "verify")
    assert code == 1 and "witness: audit: entries" in out


def test_the_tail_and_the_newest_chain_entries_cut_the_rows_left(clinic):
    app, folder, older = clinic
    db = connect(app.config["DATABASE"])
    for table in checkpoints.CHAINS:  # what the newest consent added to each chain
        db.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
        kept = sqlite3.connect(older / "consent.sqlite").execute(
            f"select max(seq) from {table}").fetchone()[0]
        db.execute(f"delete from {table} where seq > ?", [kept])
    db.conn.commit()
    log = folder / "checkpoints" / checkpoints.LOG
    kept = len((older / "checkpoints" / checkpoints.LOG).read_bytes().splitlines())
    log.write_bytes(b"".join(log.read_bytes().splitlines(keepends=True)[:kept]))
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "not in the ledger" in out and "witness: archive: entries" in out
    assert verify(app, "audit", "verify")[0] == 1  # blind, the audit log passed this one


def test_the_database_and_archive_rolled_back_the_log_kept(clinic):
    app, folder, older = clinic
    roll_back(folder, older, checkpoints_too=False)
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "ledger: entries" in out and "witness: archive: entries" in out


def test_with_the_key_the_newest_record_sealed_again_and_its_chain_rehashed(clinic):
    app, folder, _ = clinic
    db = connect(app.config["DATABASE"])
    newest = next(db.query("select * from archive order by seq desc limit 1"))
    for verb in ("update", "delete"):
        db.execute(f"DROP TRIGGER IF EXISTS archive_no_{verb}")
    # A record rendered and sealed again with other words: another hash, the chain re-made.
    newest["sha256"] = "0" * 64
    newest["entry_hash"] = chain.row_hash(newest)
    db["archive"].update(newest["seq"], {"sha256": newest["sha256"],
                                         "entry_hash": newest["entry_hash"]})
    db.conn.commit()
    db.conn.close()
    re_sign_log(app)
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "witness: archive: entry" in out, out


def test_with_the_key_a_forged_signed_purge_of_a_consent_in_the_middle(clinic):
    app, _, _ = clinic
    db = connect(app.config["DATABASE"])
    grace = next(db.query("select id from submissions where first_name = 'Grace'"))["id"]
    retention.purge_one(db, app.config["ARCHIVE_DIR"], grace, keys.from_config(app.config))
    db.conn.close()
    re_sign_log(app)
    assert blind(app)[0] == 0
    code, out = verify(app, "archive", "verify")
    assert code == 1 and f"purge record of submission {grace}: made after checkpoint" in out


def test_with_the_key_the_audit_rolled_back_and_the_log_signed_again(clinic):
    app, folder, older = clinic
    roll_back(folder, older, checkpoints_too=False)
    re_sign_log(app)
    assert blind(app) == (0, 0)
    code, out = verify(app, "audit", "verify")
    assert code == 1 and "witness: audit: entries" in out


def test_with_the_key_the_newest_consent_deleted_and_checkpoints_signed_again(clinic):
    app, folder, older = clinic
    roll_back(folder, older, checkpoints_too=False)
    re_sign_log(app)
    assert blind(app)[0] == 0
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "witness: archive: entries" in out and "the witness holds" in out


def test_a_witness_that_is_down_blocks_nobody_and_catches_up(tmp_path, witness_server):
    config = witness_server.config()
    app = make_app(config_for(tmp_path, **config))
    tablet = enrolled_client(app)
    witness_server.stop()
    for name in ("Ada", "Grace"):
        assert tablet.post("/", data=valid_form(first_name=name, signed_name=f"{name} "
                                                "Lovelace")).status_code == 302
    result = app.test_cli_runner().invoke(args=["witness", "send"])
    assert result.exit_code == 0 and result.output.startswith("0 sent")
    waiting = len(witness.waiting(app.config["CHECKPOINT_DIR"]))
    assert waiting >= 2
    admin = staff_client(app, "office", "admin")  # logging in queues lines of its own
    shown = re.search(r"(\d+) checkpoint lines wait for the off-host witness",
                      admin.get("/admin").get_data(as_text=True))
    assert shown and int(shown[1]) >= waiting
    waiting = len(witness.waiting(app.config["CHECKPOINT_DIR"]))
    witness_server.start()
    assert sent(app) == waiting and not witness.waiting(app.config["CHECKPOINT_DIR"])
    assert verify(app, "archive", "verify")[0] == 0


def test_a_log_rewritten_under_the_same_numbers_differs_from_the_witnessed_copy(clinic):
    app, folder, _ = clinic
    log = folder / "checkpoints" / checkpoints.LOG
    lines = log.read_bytes().splitlines(keepends=True)
    lines[-1] = lines[-1].replace(b'"at": "', b'"at": "1', 1)  # any change to the newest
    log.write_bytes(b"".join(lines))
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "differs from the witnessed copy" in out


def test_a_line_written_again_at_the_witness_is_reported_and_the_first_counts(clinic, s3_server):
    import boto3
    app, _, _ = clinic
    s3 = boto3.client("s3", endpoint_url=s3_server.url, region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
    bucket = app.config["WITNESS_BUCKET"]
    newest = max(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    # The instance's own credentials can write; Object Lock keeps the first version.
    s3.put_object(Bucket=bucket, Key=newest, Body=b'{"n": 1, "heads": {}}')
    code, out = verify(app, "archive", "verify")
    assert code == 1 and "was written again; the first version counts" in out
    assert "differs from the witnessed" not in out  # the first version still matches the log


def test_without_a_witness_verify_and_every_start_say_what_cannot_be_detected(tmp_path):
    from consent.instance import startup_checks
    app = make_app(config_for(tmp_path))
    code, out = verify(app, "archive", "verify")
    assert code == 0 and "No off-host witness: a truncation of the newest records" in out
    assert "No off-host witness" in verify(app, "audit", "verify")[1]
    assert any(w.startswith("No off-host witness") for w in startup_checks(app.config))
    assert "No off-host witness" in staff_client(app, "office", "admin").get(
        "/admin").get_data(as_text=True)
