"""Restore drill: back up while tablets submit, restore, and check everything."""
import shutil
import threading
from pathlib import Path

import pytest

from consent.evidence.backup import new_identity
from consent.kernel.storage import connect

from conftest import BACKUP_IDENTITY, config_for, make_app, submit_and_finalise


@pytest.fixture
def identity(tmp_path):
    """The clinic's backup identity, kept offline (here: a file of its own)."""
    path = tmp_path / "backup-identity.txt"
    path.write_text(BACKUP_IDENTITY + "\n")
    return str(path)


def fresh_instance(tmp_path, name, seal_from=None):
    """A new, empty instance; with the clinic's seal key installed from seal_from."""
    fresh = make_app(config_for(tmp_path / name))
    if seal_from:
        for file in ("key.pem", "cert.pem"):
            shutil.copy2(Path(seal_from.config["SEAL_DIR"]) / file,
                         Path(fresh.config["SEAL_DIR"]) / file)
    return fresh


@pytest.mark.slow
def test_restore_drill_during_concurrent_submissions(tmp_path, identity):
    app = make_app(config_for(tmp_path / "live"))
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

    fresh = fresh_instance(tmp_path, "restored", seal_from=app)
    restored = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup"),
                                                    "--identity", identity])
    assert restored.exit_code == 0, restored.output
    db = connect(fresh.config["DATABASE"])
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db["submissions"].get(last_before)["last_name"] == "Before"
    verify = fresh.test_cli_runner().invoke(args=["archive", "verify"])
    assert verify.exit_code == 0, verify.output
    assert db["archive"].count >= 1 and written


@pytest.mark.slow
def test_a_backup_reveals_nothing_without_the_identity_and_holds_no_seal_key(app, runner,
                                                                          tmp_path):
    submit_and_finalise(app, "Lovelace")
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    stored = [p for p in (tmp_path / "b").rglob("*") if p.is_file()]
    assert not any(p.name == "key.pem" for p in stored)
    key = (Path(app.config["SEAL_DIR"]) / "key.pem").read_bytes()
    for path in stored:
        data = path.read_bytes()
        assert b"Lovelace" not in data and b"SQLite format" not in data and key not in data
    assert {p.name for p in stored if not p.name.endswith(".age")} == \
        {"manifest.json", "manifest.sig", "cert.pem"}


@pytest.mark.slow
def test_restore_needs_the_clinics_seal_key_and_identity(app, runner, tmp_path, identity):
    submit_and_finalise(app, "Lovelace")
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    stranger = fresh_instance(tmp_path, "stranger")  # its own new seal key
    refused = stranger.test_cli_runner().invoke(args=["restore", str(tmp_path / "b"),
                                                      "--identity", identity])
    assert refused.exit_code != 0 and "not signed with this instance's seal key" in \
        refused.output
    wrong = tmp_path / "wrong.txt"
    wrong.write_text(new_identity()[0])
    fresh = fresh_instance(tmp_path, "fresh", seal_from=app)
    undecrypted = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "b"),
                                                       "--identity", str(wrong)])
    assert undecrypted.exit_code != 0 and "does not decrypt" in undecrypted.output
    assert connect(fresh.config["DATABASE"])["submissions"].count == 0  # nothing written


@pytest.mark.slow
def test_restore_refuses_a_used_instance_and_a_damaged_backup(app, runner, tmp_path, identity):
    submit_and_finalise(app, "Lovelace")
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    refused = runner.invoke(args=["restore", str(tmp_path / "b"), "--identity", identity])
    assert refused.exit_code != 0 and "already holds consents" in refused.output
    (tmp_path / "b" / "consent.sqlite.age").write_bytes(b"garbage")
    fresh = fresh_instance(tmp_path, "other", seal_from=app)
    damaged = fresh.test_cli_runner().invoke(args=["restore", str(tmp_path / "b"),
                                                   "--identity", identity])
    assert damaged.exit_code != 0 and "damaged or missing: consent.sqlite" in damaged.output


def test_backup_key_writes_an_identity_and_prints_the_recipient(runner, tmp_path):
    result = runner.invoke(args=["backup-key", str(tmp_path / "id.txt")])
    assert result.exit_code == 0 and "BACKUP_RECIPIENT = 'age1" in result.output
    assert (tmp_path / "id.txt").read_text().startswith("AGE-SECRET-KEY-1")
    assert oct((tmp_path / "id.txt").stat().st_mode & 0o777) == "0o600"
    assert runner.invoke(args=["backup-key", str(tmp_path / "id.txt")]).exit_code != 0
