"""A treatment whose age limit is law: no decision, override, waiver or role reaches past it."""
from datetime import timedelta

import pytest

from conftest import (CONFIRMED_FORM, PIN, TODAY, TREATED, archived_bytes, enrolled_client,
                      signature_data_url, staff_client, text_of, valid_form)

ACT = "Botulinum Toxin and Cosmetic Fillers (Children) Act 2021"
GUARDIAN = {"guardian_name": "John Lovelace", "guardian_relationship": "parent",
            "guardian_signature": signature_data_url(size=(500, 200))}
# The clinical review's P8: a 16-year-old booked for an injected skin booster.
SIXTEEN = {"first_name": "Tom", "signed_name": "Tom Lovelace", "treatment": "mesotherapy_injection",
           "areas": ["face"], "date_of_birth": TODAY.replace(year=TODAY.year - 16).isoformat()}
APPROVE = {"outcome": "approved", "override_reason": "Father present and agrees.",
           "product": "HA skin booster", "batch": "HA-77"}


def booked(app, db, **answers):
    """Answer the questionnaire at the tablet; return the submission's id."""
    assert enrolled_client(app).post("/", data=valid_form(**answers)).status_code == 302
    return next(db["submissions"].rows_where("first_name = ?", [answers["first_name"]]))["id"]


@pytest.mark.parametrize("role", ["doctor", "doctor_admin"])
def test_no_doctor_can_approve_an_injected_filler_for_a_minor(app, db, role):
    sid = booked(app, db, **SIXTEEN, **GUARDIAN)
    doctor = staff_client(app, "dr.house", role)
    page = doctor.get(f"/review/{sid}").get_data(as_text=True)
    assert "data-law" in page and ACT in page
    refused = doctor.post(f"/review/{sid}/decide", data=APPROVE)
    assert refused.status_code == 422
    assert "no one can approve, countersign or record it" in refused.get_data(as_text=True)
    assert db["decisions"].count == 0
    assert db["submissions"].get(sid)["status"] == "needs_review"


def test_on_the_18th_birthday_the_law_no_longer_applies(app, db):
    eighteen = {**SIXTEEN, "first_name": "Ann", "signed_name": "Ann Lovelace",
                "date_of_birth": TODAY.replace(year=TODAY.year - 18).isoformat(),
                "cold_sore_history": "yes"}  # flagged, so a doctor decides
    sid = booked(app, db, **eighteen)
    doctor = staff_client(app, "dr.house", "doctor")
    assert "data-law" not in doctor.get(f"/review/{sid}").get_data(as_text=True)
    assert doctor.post(f"/review/{sid}/decide", data=APPROVE).status_code == 302
    assert db["submissions"].get(sid)["status"] == "awaiting_consent"


def test_micro_needling_for_a_minor_stays_the_doctors_decision(app, db):
    minor = {**SIXTEEN, "treatment": "microneedling"}
    sid = booked(app, db, **minor, **GUARDIAN)
    doctor = staff_client(app, "dr.house", "doctor")
    approved = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "approved", "override_reason": "Guardian present; acne scars."})
    assert approved.status_code == 302 and db["submissions"].get(sid)["status"] == \
        "awaiting_consent"


def test_a_practitioner_can_neither_countersign_nor_treat_a_minor_approved_before(
        app, db, practitioner):
    sid = booked(app, db, **SIXTEEN, **GUARDIAN)
    # As the previous main let a doctor approve with an override (the clinical review's P8).
    db["submissions"].update(sid, {"status": "awaiting_consent"})
    page = practitioner.get(f"/practice/{sid}").get_data(as_text=True)
    assert "data-law" in page and ACT in page
    signed = {**CONFIRMED_FORM, "guardian_checked": "y", "pin": PIN}
    refused = practitioner.post(f"/practice/{sid}", data=signed)
    assert refused.status_code == 422 and ACT in refused.get_data(as_text=True)
    assert db["consents"].count == 0
    db["submissions"].update(sid, {"status": "consented"})
    db["consents"].insert({"submission_id": sid, "practitioner": "nurse.joy",
                           "countersigned_at": "2026-07-01T23:40:00+00:00",
                           "identity_checked": 1, "discussed": 1, "answer_to_questions": "",
                           "signed_with": "pin"})
    treated = {**TREATED, "products-0-name": "HA skin booster", "products-0-batch": "HA-77",
               "products-0-expiry": (TODAY + timedelta(days=180)).isoformat()}
    refused = practitioner.post(f"/practice/{sid}/treatment", data=treated)
    assert refused.status_code == 422 and ACT in refused.get_data(as_text=True)
    assert db["treatments"].count == 0


@pytest.mark.slow
def test_the_eligibility_record_says_why_naming_the_act(app, db):
    sid = booked(app, db, **SIXTEEN, **GUARDIAN)
    doctor = staff_client(app, "dr.house", "doctor")
    declined = doctor.post(f"/review/{sid}/decide", data={"outcome": "declined",
                                                          "note": "Not before 18."})
    assert declined.status_code == 302
    text = text_of(archived_bytes(app, db, sid))
    assert "Eligibility decision" in text and "Not allowed by law." in text
    assert f"The {ACT} forbids mesotherapy: active ingredients injected for anyone under 18" \
        in text
