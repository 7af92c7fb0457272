"""What the flags mean for the patient: read before signing, printed, in the doctor's words."""
import pytest

from conftest import archived_bytes, countersign, text_of, treat, valid_form

BLOOD_THINNER = "Because of your blood thinner you may bleed a little more during treatment"


def test_the_tablet_tells_the_patient_what_their_answers_mean_before_they_sign(app, client):
    said = client.post("/for-you", data=valid_form(anticoagulants="yes", signature=""))
    assert said.status_code == 200 and said.is_json
    assert any(line.startswith(BLOOD_THINNER) for line in said.json["lines"])
    assert client.post("/for-you", data=valid_form()).json == {"lines": []}
    # Answers still wrong say nothing yet; the final check is the truth.
    assert client.post("/for-you", data=valid_form(anticoagulants="maybe")).json == \
        {"lines": []}


def test_only_an_enrolled_tablet_may_ask(app):
    stranger = app.test_client()
    asked = stranger.post("/for-you", data=valid_form(anticoagulants="yes"))
    assert asked.status_code in (302, 403) and b"blood thinner" not in asked.data


@pytest.mark.slow
def test_the_doctors_words_come_first_on_the_consent_and_the_aftercare(app, client, db, doctor,
                                                                      practitioner):
    client.post("/", data=valid_form(cold_sore_history="yes", anticoagulants="yes"))
    sid = next(db["submissions"].rows)["id"]
    decided = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "approved", "patient_advice": "Aciclovir 400 mg three times a day, "
                                                 "from the day before, for 5 days."})
    assert decided.status_code == 302
    with app.app_context():
        assert countersign(app, db, sid)
    text = text_of(archived_bytes(app, db, sid))
    part = text.split("What this means for you", 1)[1]
    assert part.lstrip(" •").startswith("Your doctor's advice: Aciclovir 400 mg three times a day")
    assert "take the antiviral your doctor advises, starting the day before" in part
    assert BLOOD_THINNER in part
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0
    sheet = doctor.get(f"/review/{sid}").get_data(as_text=True)
    assert "Aciclovir 400 mg" in sheet  # the decision shows what the patient was told
    with app.app_context():
        assert treat(app, db, sid)
    aftercare = practitioner.get(f"/practice/{sid}/aftercare").get_data(as_text=True)
    told = aftercare.split("What this means for you", 1)[1]
    assert told.index("Aciclovir 400 mg") < told.index("Because of your blood thinner")
