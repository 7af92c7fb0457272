"""One whole clinic day in one instance, backed up and restored on a second machine.

If this passes on a clean clone, a clinic can go live: every kind of file this version
writes (consents, eligibility and treatment records, their timestamped revisions, reaction
photos, the audit log) survives backup and restore, and both checks agree with the source.
"""
import io
import re
import shutil
from pathlib import Path

import pytest
from PIL import Image

from consent.kernel.storage import connect

from conftest import (BACKUP_IDENTITY, CONFIRMED_FORM, DATA, NO_COOLING_OFF, PIN, TODAY, config_for,
                      countersign, enrolled_client, make_app, signer, staff_client, treat,
                      valid_form)
from local_tsa import LocalTsa

LINK = re.compile(r"https://\S+/visit#(\S+)")
TREATED = {"outcome": "treated", "areas": ["face"],
           "device_face": "Dermapen 4", "needle_depth_mm_face": "0.5"}


@pytest.fixture
def tsa(tmp_path):
    server = LocalTsa(tmp_path / "tsa")
    yield server
    server.stop()


def deliver(app):
    """Run the outbox once, as the timer does."""
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output


def newest_token(smtp):
    """Return the token of the newest link the SMTP server received."""
    return LINK.search(smtp.bodies()[-1][1]).group(1)


def check(app, *args):
    """Run a CLI check; return (exit code, its summary line, read from stdout alone)."""
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, result.stdout.strip().splitlines()[-1]


def identity_file(tmp_path, identity=BACKUP_IDENTITY):
    path = tmp_path / "identity.txt"
    path.write_text(identity + "\n")
    return str(path)


def second_machine(folder, seal_dir, **config):
    """A fresh, empty instance elsewhere, holding the clinic's seal key and certificate."""
    fresh = make_app(config_for(folder, **config))
    for name in ("key.pem", "cert.pem"):
        shutil.copy2(Path(seal_dir) / name, Path(fresh.config["SEAL_DIR"]) / name)
    return fresh


def a_clinic_day(app, smtp, tmp_path):
    """Run a day: tablet, home link, a doctor's decision, seals, treatments, a reaction."""
    tablet = enrolled_client(app)
    assert tablet.post("/", data=valid_form()).status_code == 302  # a walk-in, cleared
    assert tablet.post("/", data=valid_form(
        first_name="Grace", last_name="Hopper", signed_name="Grace Hopper",
        cold_sore_history="yes")).status_code == 302  # flagged for the doctor
    reception = staff_client(app, "rita", "reception")
    assert reception.post("/reception/visits/new", data={
        "first_name": "Mary", "last_name": "Shelley", "date_of_birth": "1990-08-30",
        "email": "mary@example.com", "phone": "", "treatment": "microneedling",
        "visit_date": TODAY.isoformat(), "visit_time": "10:30"}).status_code == 302
    deliver(app)
    phone = app.test_client()
    assert phone.post("/visit", data={"token": newest_token(smtp),
                                      "date_of_birth": "1990-08-30"}).status_code == 302
    assert phone.post("/visit/questionnaire", data=valid_form(
        first_name="Mary", last_name="Shelley", signed_name="Mary Shelley",
        date_of_birth="1990-08-30", email="mary@example.com")).status_code == 302
    db = connect(app.config["DATABASE"])
    ids = {row["first_name"]: row["id"] for row in db["submissions"].rows}
    doctor = signer(app, "dr.house", "doctor")
    assert doctor.post(f"/review/{ids['Grace']}/decide", data={
        "outcome": "approved", "note": "Aciclovir from two days before."}).status_code == 302
    nurse = signer(app, "nurse.joy", "practitioner")
    for name in ("Ada", "Grace", "Mary"):
        done = nurse.post(f"/practice/{ids[name]}", data={
            **CONFIRMED_FORM, "unchanged_confirmed": "y", "pin": PIN})
        assert done.status_code == 302, done.get_data(as_text=True)[-1500:]
        treated = nurse.post(f"/practice/{ids[name]}/treatment", data=TREATED)
        assert treated.status_code == 302, treated.get_data(as_text=True)[-1500:]
    deliver(app)  # Mary's copy and aftercare links
    phone = app.test_client()
    assert phone.post("/visit", data={"token": newest_token(smtp),
                                      "date_of_birth": "1990-08-30"}).status_code == 302
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), "pink").save(photo, format="JPEG")
    assert phone.post("/visit/aftercare", data={
        "what": "A small itchy bump", "area": "face", "since": TODAY.isoformat(),
        "photo": (io.BytesIO(photo.getvalue()), "cheek.jpg")},
        content_type="multipart/form-data").status_code == 302
    refreshed = app.test_cli_runner().invoke(args=["archive", "refresh", "--within", "9000"])
    assert "Refreshed 6" in refreshed.output, refreshed.output
    return db


@pytest.mark.slow
def test_a_whole_clinic_day_restores_on_a_second_machine_and_verifies(tmp_path, smtp, tsa):
    stamped = {"TSA_URL": tsa.url, "TSA_ROOTS": str(tsa.roots)}
    app = make_app(config_for(tmp_path / "clinic", PUBLIC_URL="https://clinic.example",
                              **smtp.config(), **stamped))
    db = a_clinic_day(app, smtp, tmp_path)
    assert db["reactions"].count == 1 and db["treatments"].count == 3
    source = [check(app, "archive", "verify", "--full"), check(app, "audit", "verify")]
    assert [code for code, _ in source] == [0, 0], source
    assert source[0][1] == "6 archived records, 0 problems"
    backed_up = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backup")])
    assert backed_up.exit_code == 0, backed_up.output
    assert len(list((tmp_path / "backup" / "archive").rglob("*.ts1.pdf.age"))) == 6

    fresh = second_machine(tmp_path / "second" / "instance", app.config["SEAL_DIR"], **stamped)
    restored = fresh.test_cli_runner().invoke(args=[
        "restore", str(tmp_path / "backup"), "--identity", identity_file(tmp_path)])
    assert restored.exit_code == 0 and "lacks" not in restored.output, restored.output
    assert [check(fresh, "archive", "verify", "--full"), check(fresh, "audit", "verify")] \
        == source
    copy = connect(fresh.config["DATABASE"])
    assert copy["reactions"].count == 1 and copy["treatments"].count == 3
    assert next(copy["reactions"].rows)["photo"] == next(db["reactions"].rows)["photo"]


@pytest.mark.slow  # it seals two records
def test_a_backup_the_previous_main_wrote_restores(tmp_path):
    """tests/data/main-backup: a treated consent, refreshed, and a reaction, backed up by 6a39b1b."""
    data = DATA / "main-backup"
    fresh = second_machine(tmp_path / "instance", data / "seal",
                           TSA_ROOTS=str(data / "tsa-roots.pem"), COOLING_OFF_HOURS=NO_COOLING_OFF)
    restored = fresh.test_cli_runner().invoke(args=[
        "restore", str(data / "backup"), "--identity", str(data / "identity.txt")])
    assert restored.exit_code == 0, restored.output
    assert "Restored 2 archived records" in restored.output
    # That main left the timestamped revisions out of its backups: say so, by name.
    assert "lacks 2 timestamped revisions" in restored.output
    db = connect(fresh.config["DATABASE"])
    assert db["treatments"].count == 1 and db["reactions"].count == 1
    code, summary = check(fresh, "audit", "verify")
    assert code == 0, summary
    verify = fresh.test_cli_runner().invoke(args=["archive", "verify", "--full"])
    missing = [line for line in verify.output.splitlines() if "file missing" in line]
    assert len(missing) == 2 and all(".ts1.pdf" in line for line in missing), verify.output
    assert "2 archived records, 2 problems" in verify.output
    # The clinic goes on with the restored instance: a new patient, countersigned (with the
    # confirmations this version asks) and treated, sealed beside the old records.
    assert enrolled_client(fresh).post("/", data=valid_form(
        first_name="Grace", signed_name="Grace Lovelace")).status_code == 302
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    with fresh.app_context():
        assert countersign(fresh, db, grace) and treat(fresh, db, grace)
    assert db["consents"].get(grace)["capacity_confirmed"] == 1
    again = fresh.test_cli_runner().invoke(args=["archive", "verify", "--full"])
    assert "4 archived records, 2 problems" in again.output, again.output
    assert check(fresh, "audit", "verify")[0] == 0
