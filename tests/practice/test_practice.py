"""The practitioner's part: consent countersigned before treatment, then the treatment record."""
import json
import re
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from consent.evidence import archive
from consent.intake import submissions
from consent.kernel import clock
from consent.kernel.storage import connect

from conftest import (CONFIRMED_FORM, PIN, SIGNATURE_PNG, TODAY, TREATED, archived_bytes,
                      assert_pdf_a_3b, countersign, enrolled_client, patient, text_of, totp_code,
                      treat, valid_form)


@pytest.fixture
def waiting(client, db):
    """A cleared patient with a question, waiting for a practitioner; her id."""
    assert client.post("/", data=valid_form(
        questions_for_doctor="Will it hurt on my neck & \"chin\"?")).status_code == 302
    return next(db["submissions"].rows)["id"]


SIGNED = {**CONFIRMED_FORM, "answer_to_questions": "A little: "
          "numbing cream first, & we stop whenever you ask.", "pin": PIN}


def test_the_tablet_seals_nothing_and_answers_cleared_and_flagged_alike(client, db):
    cleared = client.post("/", data=valid_form())
    flagged = client.post("/", data=valid_form(first_name="Grace", signed_name="Grace Lovelace",
                                               cold_sore_now="yes"))
    assert (cleared.status_code, cleared.headers["Location"]) == \
        (flagged.status_code, flagged.headers["Location"]) == (302, "/thanks")
    assert sorted(r["status"] for r in db["submissions"].rows) == ["awaiting_consent",
                                                                   "needs_review"]
    assert db["archive"].count == 0


@pytest.mark.slow
def test_countersigning_with_the_pin_seals_the_consent_with_the_signers_manifestation(
        app, db, practitioner, waiting):
    db["users"].update("nurse.joy", {"full_name": "Joy Adams", "registration": "NMC 12A3456B"})
    page = practitioner.get(f"/practice/{waiting}").get_data(as_text=True)
    assert "Will it hurt on my neck &amp; &#34;chin&#34;?" in page and "First visit" in page
    missing = practitioner.post(f"/practice/{waiting}", data={**SIGNED,
                                                              "answer_to_questions": ""})
    assert missing.status_code == 422 and b"answer to the patient" in missing.data
    assert db["consents"].count == 0
    done = practitioner.post(f"/practice/{waiting}", data=SIGNED)
    assert done.status_code == 302 and done.headers["Location"] == \
        f"/practice/{waiting}/treatment"
    assert db["submissions"].get(waiting)["status"] == "consented"
    data = archived_bytes(app, db, waiting)
    assert_pdf_a_3b(data)
    text = text_of(data)
    assert "Countersigned by Joy Adams (NMC 12A3456B) on 2 July 2026, 00:30 BST" in text
    assert '"I discussed this treatment with the patient and obtained their consent."' in text
    assert 'The patient asked: "Will it hurt on my neck & "chin"?"' in text
    assert "numbing cream first, & we stop whenever you ask." in text
    record = json.loads(PdfReader(BytesIO(data)).attachments["consent-record.json"][0])
    assert record["consent"]["signed_with"] == "pin" and record["submission"]["status"] == \
        "consented"
    assert db["audit"].count_where("action = 'countersigned' and username = 'nurse.joy'") == 1
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0


@pytest.mark.parametrize("changes, field, said", [
    ({"capacity_confirmed": ""}, "capacity_confirmed", "has capacity to decide"),
    ({"interpreter": ""}, "interpreter", "whether an interpreter was used"),
    ({"interpreter": "used"}, "interpreter_name", "Give the interpreter"),
])
def test_capacity_and_the_interpreter_are_confirmed_before_countersigning(
        db, practitioner, waiting, changes, field, said):
    refused = practitioner.post(f"/practice/{waiting}", data={**SIGNED, **changes})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f'id="{field}-error">' in page and said in page
    assert db["consents"].count == 0


@pytest.mark.slow
def test_an_interpreter_is_named_in_the_record_the_pdf_and_the_fhir_consent(
        app, db, practitioner, waiting):
    done = practitioner.post(f"/practice/{waiting}", data={
        **SIGNED, "interpreter": "used", "interpreter_name": "Ewa Nowak (Polish)"})
    assert done.status_code == 302
    consent = db["consents"].get(waiting)
    assert (consent["capacity_confirmed"], consent["interpreter"]) == (1, "Ewa Nowak (Polish)")
    data = archived_bytes(app, db, waiting)
    record = json.loads(PdfReader(BytesIO(data)).attachments["consent-record.json"][0])
    assert record["consent"]["interpreter"] == "Ewa Nowak (Polish)"
    text = text_of(data)
    assert "has capacity to make this decision and consents voluntarily" in text
    assert "An interpreter, Ewa Nowak (Polish), was used." in text
    bundle = json.loads(PdfReader(BytesIO(data)).attachments["fhir-bundle.json"][0])
    (found,) = [e["resource"] for e in bundle["entry"]
                if e["resource"]["resourceType"] == "Consent"]
    assert {"url": "urn:consent:extension/interpreter",
            "valueString": "Ewa Nowak (Polish)"} in found["extension"]
    # The cost as the patient read it, beside their declaration (issue 24, item 6).
    assert {"url": "urn:consent:extension/cost-explained",
            "valueString": "£120 a session (the clinic's price list of December 2026)."} \
        in found["extension"]
    assert "The cost was explained" not in text and "Cost £120 a session" in text
    assert "I have been told what the treatment costs." in text
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0


@pytest.mark.slow
def test_without_a_pin_the_password_and_a_fresh_code_sign_and_a_code_signs_once(
        app, db, waiting):
    from conftest import staff_client
    nurse = staff_client(app, "nurse.kim", "practitioner")
    data = {k: v for k, v in SIGNED.items() if k != "pin"}
    wrong = nurse.post(f"/practice/{waiting}", data={**data, "password": "wrong password 1",
                                                     "code": totp_code(db, "nurse.kim")})
    assert wrong.status_code == 422 and b"password is not right" in wrong.data
    from conftest import PASSWORD
    code = totp_code(db, "nurse.kim")
    assert nurse.post(f"/practice/{waiting}", data={**data, "password": PASSWORD,
                                                    "code": "000000"}).status_code == 422
    done = nurse.post(f"/practice/{waiting}", data={**data, "password": PASSWORD, "code": code})
    assert done.status_code == 302
    assert db["consents"].get(waiting)["signed_with"] == "password and second factor"


def test_a_wrong_pin_is_refused_next_to_the_field_and_counts_towards_the_lock(
        db, practitioner, waiting):
    response = practitioner.post(f"/practice/{waiting}", data={**SIGNED, "pin": "135799"})
    assert response.status_code == 422 and b'id="pin-error"' in response.data
    assert db["consents"].count == 0
    assert db["login_failures"].count_where("username = 'nurse.joy'") == 1


@pytest.mark.slow
def test_wrong_pins_lock_signing_by_pin_but_not_the_log_in_or_the_password(
        app, db, practitioner, waiting):
    from conftest import PASSWORD, log_in
    for _ in range(app.config["PIN_MAX_FAILURES"]):
        practitioner.post(f"/practice/{waiting}", data={**SIGNED, "pin": "135799"})
    locked = practitioner.post(f"/practice/{waiting}", data=SIGNED)  # now even the right PIN
    assert locked.status_code == 422 and b"Signing by PIN is locked" in locked.data
    assert log_in(app, app.test_client(), "nurse.joy").status_code == 302
    data = {k: v for k, v in SIGNED.items() if k != "pin"}
    done = practitioner.post(f"/practice/{waiting}", data={
        **data, "password": PASSWORD, "code": totp_code(db, "nurse.joy")})
    assert done.status_code == 302 and db["consents"].count == 1


@pytest.mark.slow
def test_impossible_steps_answer_409_and_change_nothing(app, client, db, doctor, practitioner,
                                                        waiting):
    client.post("/", data=valid_form(first_name="Grace", signed_name="Grace Lovelace",
                                     cold_sore_now="yes"))
    flagged = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    assert practitioner.post(f"/practice/{flagged}", data=SIGNED).status_code == 409
    early = practitioner.post(f"/practice/{waiting}/treatment", data={"outcome": "not_treated",
                                                                       "reason": "Too early."})
    assert early.status_code == 409 and b"only possible when it is consented" in early.data
    assert practitioner.post(f"/practice/{waiting}", data=SIGNED).status_code == 302
    again = practitioner.post(f"/practice/{waiting}", data=SIGNED)
    assert again.status_code == 409 and b"This submission is consented" in again.data
    assert doctor.post(f"/review/{waiting}/decide", data={"outcome": "declined"}).status_code \
        == 409
    assert practitioner.post(f"/practice/{waiting}/treatment", data={
        "outcome": "not_treated", "reason": "Patient changed her mind."}).status_code == 302
    assert practitioner.post(f"/practice/{waiting}/treatment", data={
        "outcome": "not_treated", "reason": "Twice."}).status_code == 409
    assert db["treatments"].count == 1 and db["consents"].count == 1
    assert db["submissions"].get(waiting)["status"] == "not_treated"


def test_a_consent_not_acted_on_by_its_treatment_date_lapses(app, db, practitioner):
    ruleset = app.extensions["consent.ruleset"]
    yesterday = TODAY - timedelta(days=1)
    old = submissions.submit(db, ruleset, patient(), SIGNATURE_PNG, yesterday)
    response = practitioner.post(f"/practice/{old['id']}", data=SIGNED)
    assert response.status_code == 409 and b"This submission is lapsed" in response.data
    today = submissions.submit(db, ruleset, patient(), SIGNATURE_PNG, TODAY)
    page = practitioner.get(f"/practice/{today['id']}").get_data(as_text=True)
    history = page.split("This patient's visits here")[1]
    assert re.search(r"1 July 2026</a></td>.*?<td>lapsed</td>", history, re.S)


@pytest.mark.parametrize("changes, field, said", [
    ({"areas": ["hands"], "device_hands": "Dermapen 4", "needle_depth_mm_hands": "0.5"}, "areas",
     "Only areas the patient consented to"),
    ({"needle_depth_mm_face": "3.1"}, "needle_depth_mm_face", "needle depth, 0.1 to 3 mm"),
    ({"needle_depth_mm_face": "0.09"}, "needle_depth_mm_face", "needle depth, 0.1 to 3 mm"),
    ({"needle_depth_mm_face": "deep"}, "needle_depth_mm_face", "Not a valid decimal value"),
    ({"device_face": ""}, "device_face", "Give the device"),
    ({"numbing_areas": ["neck"]}, "numbing_areas", "areas treated only"),
    ({"numbing_minutes": ""}, "numbing_minutes", "minutes the cream was on"),
    ({"numbing_grams": ""}, "numbing_grams", "amount of cream in grams"),
    ({"numbing_grams": "250"}, "numbing_grams", "amount of cream in grams"),
    # The clinical review's P1: treated at 09:15, recorded at 00:30 the same night.
    ({"treated_at": "09:15"}, "treated_at", "cannot be later than now"),
    ({"treated_at": "00:10"}, "treated_at", "before the consent was countersigned"),
    ({"products-0-name": "Hyaluronic serum", "products-0-batch": "HA-221",
      "products-0-expiry": "2026-06-30"}, "products-0-expiry", "This batch has expired"),
    ({"outcome": "not_treated"}, "reason", "Write why"),
])
@pytest.mark.slow
def test_a_bad_treatment_record_is_refused_next_to_its_field(app, db, practitioner, waiting,
                                                             changes, field, said):
    countersign(app, db, waiting)
    response = practitioner.post(f"/practice/{waiting}/treatment", data={**TREATED, **changes})
    assert response.status_code == 422, response.data
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">' in page and said in page, page
    assert db["treatments"].count == 0 and db["submissions"].get(waiting)["status"] == "consented"


@pytest.mark.slow
def test_mesotherapy_needs_each_product_with_batch_and_expiry(app, client, db, practitioner):
    client.post("/", data=valid_form(treatment="mesotherapy_needling"))
    sid = next(db["submissions"].rows)["id"]
    # Mesotherapy the same day is inside the 24-hour cooling-off: a doctor writes why.
    countersign(app, db, sid, "dr.meso", role="doctor",
                cooling_off_reason="Travelling abroad tomorrow; discussed at length.")
    refused = practitioner.post(f"/practice/{sid}/treatment", data=TREATED)
    assert refused.status_code == 422 and b"Record each product" in refused.data
    done = practitioner.post(f"/practice/{sid}/treatment", data={
        **TREATED, "products-0-name": "Hyaluronic serum", "products-0-batch": "HA-221",
        "products-0-expiry": "2027-03-31"})
    assert done.status_code == 302
    text = text_of(archived_bytes(app, db, f"{sid}.treatment"))
    assert "Hyaluronic serum HA-221 31 March 2027" in text


INJECTED = {"outcome": "treated", "treated_at": "", "areas": ["face"],
            "technique_face": "micropapules", "instrument_face": "needle", "gauge_face": "32",
            "sites_face": "40", "volume_per_site_ml_face": "0.02", "reaction": "",
            "products-0-name": "Profhilo", "products-0-batch": "PH-2317",
            "products-0-expiry": (TODAY + timedelta(days=200)).isoformat()}


@pytest.mark.parametrize("changes, field, said", [
    ({"gauge_face": "40"}, "gauge_face", "Give the gauge, 18 to 34 G."),
    ({"sites_face": ""}, "sites_face", "Give the injection sites."),
    ({"volume_per_site_ml_face": "2"}, "volume_per_site_ml_face", "0.005 to 1 ml"),
    ({"instrument_face": ""}, "instrument_face", "Give the needle or cannula."),
    ({"technique_face": "spray"}, "technique_face", "Choose the technique."),
])
@pytest.mark.slow
def test_an_injection_is_recorded_in_its_own_fields_never_a_needle_depth(
        app, client, db, practitioner, changes, field, said):
    app.config["COOLING_OFF_HOURS"] = {"mesotherapy_injection": 0}
    client.post("/", data=valid_form(treatment="mesotherapy_injection"))
    sid = next(db["submissions"].rows)["id"]
    countersign(app, db, sid)
    form = practitioner.get(f"/practice/{sid}/treatment").get_data(as_text=True)
    assert 'id="gauge_face"' in form and "needle_depth_mm" not in form and "device_" not in form
    refused = practitioner.post(f"/practice/{sid}/treatment", data={**INJECTED, **changes})
    assert refused.status_code == 422 and f'id="{field}-error">' in refused.get_data(
        as_text=True) and said in refused.get_data(as_text=True)
    assert practitioner.post(f"/practice/{sid}/treatment", data=INJECTED).status_code == 302
    text = text_of(archived_bytes(app, db, f"{sid}.treatment"))
    assert "Area Technique Needle or cannula Gauge Injection sites Volume per site" in text
    assert "Face Micro-papules Needle 32 G 40 0.02 ml" in text
    assert "Needle depth" not in text and "Profhilo PH-2317" in text


@pytest.mark.slow
def test_the_treatment_record_is_sealed_and_linked_to_its_consent_by_id_and_hash(
        app, db, practitioner, waiting):
    countersign(app, db, waiting)
    done = practitioner.post(f"/practice/{waiting}/treatment", data=TREATED)
    assert done.status_code == 302 and done.headers["Location"] == "/today"
    data = archived_bytes(app, db, f"{waiting}.treatment")
    assert_pdf_a_3b(data, ("treatment-record.json",))
    record = json.loads(PdfReader(BytesIO(data)).attachments["treatment-record.json"][0])
    assert record["consent"] == {"id": waiting, "sha256": archive.entry(db, waiting)["sha256"]}
    assert record["treatment"]["details"]["areas"] == [
        {"area": "face", "device": "Dermapen 4", "needle_depth_mm": 0.5}]
    treated_at = record["treatment"]["details"]["treated_at"]  # no time given: this minute
    assert treated_at.startswith("2026-07-01T23:") and treated_at <= record["treatment"][
        "recorded_at"]
    text = text_of(data)
    for words in ("Treatment record", f"Treated at {clock.spoken(treated_at)}",
                  "Face Dermapen 4 0.5 mm", "EMLA 5%, 2.0 g, on Face, for 40 minutes",
                  "Mild redness, as expected."):
        assert words in text, words
    # The hash links the records in the attachment; the body names the consent by its id.
    assert archive.entry(db, waiting)["sha256"] not in text.replace(" ", "")
    assert f"under consent {waiting}" in text
    assert db["submissions"].get(waiting)["status"] == "treated"
    runner = app.test_cli_runner()
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    out = Path(app.config["ARCHIVE_DIR"]).parent / "export"
    assert "Exported 2 consents" in runner.invoke(args=["archive", "export", "--since",
                                                        "2000-01-01", str(out)]).output
    assert sorted(p.name for p in out.glob("*.pdf")) == sorted([f"{waiting}.pdf",
                                                                f"{waiting}.treatment.pdf"])
    said = runner.invoke(args=["rules", "eval", str(out / f"{waiting}.treatment.pdf")])
    assert said.exit_code == 2 and "Traceback" not in said.output, said.output
    assert said.output.strip().splitlines() == [
        f"Invalid answers: this is a treatment record; the answers are in the consent record "
        f"it names ({waiting})"], said.output


@pytest.mark.slow
def test_treat_helper_and_retry_finish_a_treatment_record_whose_pdf_failed(app, db, waiting,
                                                                          monkeypatch):
    from consent.evidence.seal import seal
    countersign(app, db, waiting)
    real = seal.seal
    monkeypatch.setattr(seal, "seal", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    assert treat(app, db, waiting) is False
    monkeypatch.setattr(seal, "seal", real)
    result = app.test_cli_runner().invoke(args=["archive", "retry"])
    assert result.exit_code == 0 and "Finalised 1" in result.output
    assert archive.entry(db, f"{waiting}.treatment")


def test_setting_a_pin_needs_the_password_and_refuses_a_weak_one(app, db):
    from conftest import PASSWORD, staff_client
    nurse = staff_client(app, "nurse.kim", "practitioner")
    weak = nurse.post("/practice/pin", data={"password": PASSWORD, "pin": "111111"})
    assert weak.status_code == 422 and b'id="pin-error"' in weak.data
    wrong = nurse.post("/practice/pin", data={"password": "not it at all", "pin": "135792"})
    assert wrong.status_code == 422 and not db["users"].get("nurse.kim")["pin_hash"]
    assert nurse.post("/practice/pin", data={"password": PASSWORD, "pin": "135792"}) \
        .status_code == 302
    assert db["users"].get("nurse.kim")["pin_hash"].startswith("$argon2")
    assert db["audit"].count_where("action = 'pin_set'") == 1


def at(monkeypatch, moment):
    """Move the clinic's clock to a moment (the tests' clock runs on from there)."""
    from consent.kernel import clock
    monkeypatch.setattr(clock, "now", lambda: moment)


@pytest.mark.parametrize("days, stopped", [(6, True), (7, False)])
@pytest.mark.slow
def test_the_interval_counts_from_the_recorded_treatment(app, client, db, practitioner,
                                                         monkeypatch, days, stopped):
    from conftest import FROZEN
    at(monkeypatch, FROZEN - timedelta(days=days))
    client.post("/", data=valid_form())
    first = next(db["submissions"].rows)["id"]
    countersign(app, db, first)
    treat(app, db, first)  # the face
    at(monkeypatch, FROZEN)
    client.post("/", data=valid_form(areas=["face"]))
    second = next(db["submissions"].rows_where("id != ?", [first]))
    rules = [f["rule"] for f in json.loads(second["evaluation"])["flags"]]
    assert ("interval-clinic-record" in rules) == stopped, rules
    assert second["status"] == ("needs_review" if stopped else "awaiting_consent")
    page = practitioner.get(f"/practice/{second['id']}/history").get_data(as_text=True)
    last = (TODAY - timedelta(days=days)).isoformat()
    from consent.kernel import clock
    assert re.search(rf"<td>Face</td><td>{clock.spoken(last)}</td><td>"
                     rf"{clock.spoken((TODAY - timedelta(days=days - 7)).isoformat())}</td>",
                     page)
    assert "Dermapen" not in page and "treated" in page


def test_the_countersign_screen_marks_changes_since_the_last_visit(app, client, db,
                                                                   practitioner, monkeypatch):
    from conftest import FROZEN
    at(monkeypatch, FROZEN - timedelta(days=20))
    client.post("/", data=valid_form())
    at(monkeypatch, FROZEN)
    client.post("/", data=valid_form(diabetes="controlled"))
    second = list(db["submissions"].rows_where(order_by="rowid"))[1]["id"]
    page = practitioner.get(f"/practice/{second}").get_data(as_text=True)
    assert "1 health answer changed since the visit of 12 June 2026" in page
    assert re.search(r'class="[^"]*changed[^"]*"><th scope="row">[^<]*diabetes', page, re.I)


@pytest.mark.slow
def test_a_tablet_patient_with_an_email_gets_the_copy_and_aftercare_links(tmp_path, smtp):
    from conftest import config_for, enrolled_client, make_app
    app = make_app(config_for(tmp_path / "i", PUBLIC_URL="https://clinic.example",
                              **smtp.config()))
    assert enrolled_client(app).post("/", data=valid_form()).status_code == 302
    db = connect(app.config["DATABASE"])
    sid = next(db["submissions"].rows)["id"]
    from consent.practice import signing

    from conftest import staff_client
    nurse = staff_client(app, "nurse.joy", "practitioner")
    signing.set_pin(db, "nurse.joy", PIN)
    signed = nurse.post(f"/practice/{sid}", data=SIGNED, follow_redirects=True)
    assert b"copy is on its way by e-mail." in signed.data
    treated = nurse.post(f"/practice/{sid}/treatment", data=TREATED, follow_redirects=True)
    assert b"The aftercare message is on its way." in treated.data
    assert app.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    subjects = [subject for subject, _ in smtp.bodies()]
    assert subjects == ["Your copy from The Skin Clinic", "After your visit to The Skin Clinic"]
    phone = app.test_client()
    token = smtp.bodies()[0][1].split("/visit#")[1].split()[0]
    assert phone.post("/visit", data={"token": token, "date_of_birth": "1985-12-10"}) \
        .headers["Location"] == "/visit/copy"
    download = phone.get("/visit/copy.pdf")
    assert download.data == archived_bytes(app, db, sid)
    assert "consent-ada-lovelace-" in download.headers["Content-Disposition"]
    download.close()


@pytest.mark.slow
def test_a_tablet_patient_without_email_leaves_with_a_printed_copy_and_aftercare(
        app, client, db, practitioner):
    assert client.post("/", data=valid_form(email="")).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    signed = practitioner.post(f"/practice/{sid}", data=SIGNED, follow_redirects=True)
    page = signed.get_data(as_text=True)
    assert "e-mail" not in page.split("Consent countersigned.")[1].split("</p>")[0]
    assert "No e-mail address was given: print these for the patient." in page
    pdf = practitioner.get(f"/practice/{sid}/copy.pdf")
    assert pdf.data == archived_bytes(app, db, sid) and pdf.mimetype == "application/pdf"
    pdf.close()
    assert practitioner.get(f"/practice/{sid}/aftercare").status_code == 404  # not yet treated
    practitioner.post(f"/practice/{sid}/treatment", data=TREATED)
    sheet = practitioner.get(f"/practice/{sid}/aftercare").get_data(as_text=True)
    assert "SPF 50+" in sheet and "Warning signs" in sheet and "data-print" in sheet
    assert "not before" in sheet and "Call 999 at once" in sheet
    assert db["audit"].count_where("action in ('patient_copy_printed', 'aftercare_printed')") \
        == 2
    assert db["outbox"].count == 0


@pytest.mark.slow
def test_the_printed_aftercare_speaks_the_patients_language_and_the_page_around_it_ours(
        app, db, practitioner):
    app.config.update(PATIENT_LANGUAGES_ENABLED=("ar",), COOLING_OFF_HOURS={"microneedling": 0})
    assert enrolled_client(app).post("/", data=valid_form(language="ar")).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    with app.app_context():
        assert countersign(app, db, sid) and treat(app, db, sid)
    page = practitioner.get(f"/practice/{sid}/aftercare").get_data(as_text=True)
    staff, sheet = page.split('<article class="aftercare-sheet" lang="ar" dir="rtl">')
    assert '<html lang="en" dir="ltr">' in staff and "Print the aftercare sheet" in staff
    assert "The sheet is in" in staff and "the language the patient answered in" in staff
    assert "بعد علاجك في" in sheet and "إذا كنت قلقًا" in sheet  # after, if you are worried
    assert "NHS 111" in sheet and "After your treatment" not in sheet
    assert "مسودة" in sheet  # the draft's warning, in the patient's words


@pytest.mark.slow
def test_rf_microneedling_asks_about_implants_stops_on_one_and_records_its_energy(
        app, client, db, practitioner):
    app.config["COOLING_OFF_HOURS"] = {"rf_microneedling": 0}
    page = client.get("/").get_data(as_text=True)
    assert 'id="q-implanted_device" data-show-if="treatment=rf_microneedling"' in page
    missing = client.post("/", data=valid_form(treatment="rf_microneedling"))
    assert missing.status_code == 422 and 'id="implanted_device-error"' in missing.get_data(
        as_text=True)
    client.post("/", data=valid_form(treatment="rf_microneedling", implanted_device="yes"))
    paced = next(db["submissions"].rows)
    assert paced["status"] == "needs_review" and "implanted-device-rf" in paced["evaluation"]
    client.post("/", data=valid_form(treatment="rf_microneedling", implanted_device="no",
                                     first_name="Grace", signed_name="Grace Lovelace"))
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))
    assert grace["status"] == "awaiting_consent"
    countersign(app, db, grace["id"])
    done = practitioner.post(f"/practice/{grace['id']}/treatment", data={
        "outcome": "treated", "areas": ["face"], "device_face": "Morpheus8",
        "needle_depth_mm_face": "2.5", "energy_face": "30", "reaction": ""})
    assert done.status_code == 302
    text = text_of(archived_bytes(app, db, f"{grace['id']}.treatment"))
    assert "Area Device Needle depth Energy (the device's level)" in text
    assert "Face Morpheus8 2.5 mm 30" in text
    consent_text = text_of(archived_bytes(app, db, grace["id"]))
    assert "radiofrequency energy at their tips" in consent_text
    assert "I have been told what the treatment costs." in consent_text
    assert "I was invited to ask questions about the treatment" in consent_text


@pytest.mark.parametrize("grams, reviewer, refused", [
    ("20", "", False),  # at the threshold: no review
    ("20.1", "", True),  # above it: a doctor reviews the amount
    ("30", "nurse.joy", True),  # a practitioner is not a doctor
    ("30", "dr.house", False),
])
@pytest.mark.slow
def test_a_large_amount_of_numbing_cream_needs_a_doctors_review(
        app, db, practitioner, doctor, waiting, grams, reviewer, refused):
    countersign(app, db, waiting)
    response = practitioner.post(f"/practice/{waiting}/treatment", data={
        **TREATED, "numbing_grams": grams, "numbing_reviewed_by": reviewer})
    page = response.get_data(as_text=True)
    if refused:
        assert response.status_code == 422 and 'id="numbing_reviewed_by-error"' in page
        assert "More than 20 g of numbing cream: name the doctor" in page
        assert db["treatments"].count == 0
    else:
        assert response.status_code == 302
        text = text_of(archived_bytes(app, db, f"{waiting}.treatment"))
        assert ("The amount was reviewed by" in text) is bool(reviewer)
