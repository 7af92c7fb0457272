"""Restore drill: back up while tablets submit, restore, and check everything."""
import threading
from datetime import date

from conftest import PATIENT, config_for
from consent import create_app, submissions
from consent.storage import connect
from consent.finalise import finalise
from consent.instance import initialise
from consent.signature import clean_png
from conftest import signature_data_url

PNG = clean_png(signature_data_url())


def submit_and_finalise(app, name):
    """Store and archive one consent the way the tablet does."""
    db = connect(app.config["DATABASE"])
    answers = {**PATIENT, "last_name": name, "signed_name": f"Ada {name}"}
    row = submissions.submit(db, app.extensions["consent.ruleset"], answers, PNG,
                             date(2026, 12, 1))
    finalise(db, app.config, row["id"])
    db.conn.close()
    return row["id"]


def test_restore_drill_during_concurrent_submissions(tmp_path):
    app = create_app(config_for(tmp_path / "live"))
    initialise(app)
    last_before = submit_and_finalise(app, "Before")
    stop, written = threading.Event(), []

    def tablet(letter):
        count = 0
        while not stop.is_set() and count < 15:
            written.append(submit_and_finalise(app, f"Busy{letter}{'x' * count}"))
            count += 1
    workers = [threading.Thread(target=tablet, args=(c,)) for c in "ab"]
    for worker in workers:
        worker.start()
    result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    stop.set()
    for worker in workers:
        worker.join()
    assert result.exit_code == 0, result.output

    fresh = create_app(config_for(tmp_path / "restored"))
    initialise(fresh)
    restored = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup")])
    assert restored.exit_code == 0, restored.output
    db = connect(fresh.config["DATABASE"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["submissions"].get(last_before)["last_name"] == "Before"
    verify = fresh.test_cli_runner().invoke(args=["archive", "verify"])
    assert verify.exit_code == 0, verify.output
    assert db["archive"].count >= 1 and written


def test_restore_refuses_a_used_instance_and_a_damaged_backup(app, runner, tmp_path):
    submit_and_finalise(app, "Lovelace")
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    refused = runner.invoke(args=["restore", str(tmp_path / "b")])
    assert refused.exit_code != 0 and "already holds consents" in refused.output
    (tmp_path / "b" / "consent.sqlite").write_bytes(b"garbage")
    fresh = create_app(config_for(tmp_path / "other"))
    initialise(fresh)
    damaged = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "b")])
    assert damaged.exit_code != 0 and "damaged or missing: consent.sqlite" in damaged.output
