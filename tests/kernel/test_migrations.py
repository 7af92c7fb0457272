"""A database written by the previous main (f32b64c) opens, migrates and verifies."""

import pytest

from consent.intake import information, submissions
from consent.kernel.storage import connect
from consent.staff import accounts, mfa

from conftest import PASSWORD, archived_bytes, opened, text_of, totp_code


@pytest.fixture
def old(tmp_path):
    """The instance main wrote at f32b64c."""
    return opened("previous-main", tmp_path)


def test_old_consents_still_verify_and_old_rows_are_kept(old):
    runner = old.test_cli_runner()
    verify = runner.invoke(args=["archive", "verify"])
    assert verify.exit_code == 0, verify.output
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    db = connect(old.config["DATABASE"])
    statuses = {row["last_name"]: row["status"] for row in db["submissions"].rows}
    assert statuses == {"Lovelace": "cleared", "Hopper": "needs_review", "Shelley": "approved"}
    assert all(row["information_sha256"] is None for row in db["submissions"].rows)


def test_old_sessions_end_and_old_staff_set_up_a_second_factor(old):
    db = connect(old.config["DATABASE"])
    assert db["sessions"].count_where("ended_at is null") == 0
    client = old.test_client()
    response = client.post("/login", data={"username": "dr.house", "password": PASSWORD})
    assert response.headers["Location"] == "/login/enrol"
    assert client.get("/review").headers["Location"].endswith("/login")
    mfa.provision(db, "dr.house")
    assert client.post("/login/enrol", data={"code": totp_code(db, "dr.house")}).status_code == 200
    page = client.get("/review").get_data(as_text=True)
    assert "Grace Hopper" in page  # the old flagged submission waits in the queue
    found = client.post("/review", data={"name": "lovelace"}).get_data(as_text=True)
    assert "Ada Lovelace" in found  # names re-keyed, the search index follows


@pytest.mark.slow
def test_an_old_flagged_submission_is_decided_and_new_ones_carry_the_information_hash(old):
    db = connect(old.config["DATABASE"])
    hopper = next(db["submissions"].rows_where("last_name = 'Hopper'"))["id"]
    from conftest import enrolled_client, staff_client, valid_form
    doctor = staff_client(old, "dr.new", "doctor")
    decided = doctor.post(f"/review/{hopper}/decide", data={"outcome": "declined"})
    assert decided.status_code == 302
    tablet = enrolled_client(old)
    assert tablet.post("/", data=valid_form(first_name="Emmy", last_name="Noether",
                                            signed_name="Emmy Noether")).status_code == 302
    new = next(db["submissions"].rows_where("last_name = 'Noether'"))
    assert new["information_sha256"] == information.digest(
        information.render([new["treatment"]], old.config["CLINIC_PHONE"]))
    assert submissions.get(db, hopper)["status"] == "declined"
    assert old.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0


def test_old_staff_print_as_before_and_old_seals_are_b_b_with_nothing_queued(old):
    db = connect(old.config["DATABASE"])
    doctor = db["users"].get("dr.house")
    assert doctor["full_name"] == "" and doctor["registration"] == ""
    assert accounts.signer(db, "dr.house") == "dr.house"  # printed as before the migration
    assert db["timestamp_queue"].count == 0  # sealed before trusted time: not back-queued
    result = old.test_cli_runner().invoke(args=["archive", "verify", "--levels"])
    assert result.exit_code == 0 and "no trusted time" in result.output


@pytest.fixture
def before_countersign(tmp_path):
    """The instance main wrote just before countersigning (4ed57aa)."""
    return opened("main-before-countersign", tmp_path)


@pytest.mark.slow
def test_unsealed_consents_wait_for_a_countersignature_and_sealed_ones_stay(before_countersign):
    app = before_countersign
    db = connect(app.config["DATABASE"])
    statuses = {row["last_name"]: row["status"] for row in db["submissions"].rows}
    assert statuses == {"Lovelace": "cleared", "Shelley": "approved", "Hopper": "needs_review",
                        "Noether": "awaiting_consent", "Turing": "awaiting_consent"}
    runner = app.test_cli_runner()
    assert runner.invoke(args=["archive", "retry"]).output.startswith("Finalised 0")
    verify = runner.invoke(args=["archive", "verify"])
    assert verify.exit_code == 0, verify.output
    from conftest import countersign, treat
    emmy = next(db["submissions"].rows_where("last_name = 'Noether'"))["id"]
    with app.app_context():
        assert countersign(app, db, emmy)
        assert treat(app, db, emmy)
    again = runner.invoke(args=["archive", "verify"])
    assert again.exit_code == 0, again.output
    assert db.execute("select count(*) from archive").fetchone()[0] == 4


def test_the_archive_index_keeps_its_hashes_triggers_and_numbering(before_countersign):
    import sqlite3
    db = connect(before_countersign.config["DATABASE"])
    with pytest.raises(sqlite3.IntegrityError, match="write-once"):
        db.execute("update archive set sha256 = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="write-once"):
        db.execute("delete from archive")
    assert db.execute("select seq from sqlite_sequence where name = 'archive'").fetchone()[0] == 2
    assert not [row for row in db.execute("pragma foreign_key_list(archive)")]


@pytest.fixture
def before_visits(tmp_path):
    """The instance main wrote just before visits and patient links (93ff375)."""
    return opened("main-before-visits", tmp_path)


@pytest.mark.slow
def test_consents_sealed_before_visits_verify_and_walk_ins_go_on(before_visits):
    app = before_visits
    db = connect(app.config["DATABASE"])
    assert {row["first_name"]: row["status"] for row in db["submissions"].rows} == {
        "Ada": "treated", "Grace": "awaiting_consent"}
    assert db["visits"].count == 0 and db["outbox"].count == 0 and db["reactions"].count == 0
    runner = app.test_cli_runner()
    verify = runner.invoke(args=["archive", "verify"])
    assert verify.exit_code == 0, verify.output  # old consent rows still match the ledger
    # No visit: no e-mail.
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    from conftest import countersign
    with app.app_context():
        assert countersign(app, db, grace)
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    # Grace read the text of before the catalogue: her consent prints those very words.
    kept = db["information_texts"].get(
        next(db["submissions"].rows_where("first_name = 'Grace'"))["information_sha256"])
    assert kept["format"] == "template"
    grace_pdf = text_of(archived_bytes(app, db, grace))
    assert "derma-roller" in grace_pdf and "current text" not in grace_pdf
    assert db["outbox"].count == 0


@pytest.mark.slow
def test_injections_recorded_before_the_catalogue_keep_their_words_and_the_clinic_goes_on(
        tmp_path):
    app = opened("main-before-catalogue", tmp_path)  # main at ba0753d
    db = connect(app.config["DATABASE"])
    runner = app.test_cli_runner()
    assert runner.invoke(args=["archive", "verify", "--full"]).exit_code == 0
    ada, grace = (next(db["submissions"].rows_where("first_name = ?", [n]))["id"]
                  for n in ("Ada", "Grace"))
    [kept] = db["information_texts"].rows
    assert kept["format"] == "template"  # as that main kept it: the shared text Ada read
    from consent.practice import treatments
    record = treatments.get(db, ada)
    assert [f.label for f in treatments.columns("mesotherapy_injection",
                                                record["details"]["areas"])] == \
        ["Device", "Needle depth"]  # printed as recorded, not in the catalogue's new fields
    from conftest import countersign, signer
    nurse = signer(app, "nurse.new", "practitioner")
    page = nurse.get(f"/practice/{ada}/treatment").get_data(as_text=True)
    assert "Face: Device Syringe, Needle depth 0.5 mm" in page
    with app.app_context():
        assert countersign(app, db, grace)
    text = text_of(archived_bytes(app, db, grace))
    assert "derma-roller" in text and "current text" not in text  # the words Grace read
    assert "vascular occlusion" not in text
    assert runner.invoke(args=["archive", "verify", "--full"]).exit_code == 0
