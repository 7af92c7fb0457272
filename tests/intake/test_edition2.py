"""Edition 2 of the dictionary: the guardian's part, the edition on each record, old answers."""
import json
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from consent import workflow
from consent.evidence import archive
from consent.intake.display import answer_sections
from consent.intake.questionnaire import EDITION
from consent.kernel.storage import connect

from conftest import CONFIRMED_FORM, opened, signature_data_url, staff_client, valid_form

MINOR = {"first_name": "Tom", "signed_name": "Tom Lovelace", "date_of_birth": "2010-01-01"}
GUARDIAN = {"guardian_name": "Mary Lovelace", "guardian_relationship": "parent",
            "guardian_signature": signature_data_url(size=(500, 200))}


def errors_of(response):
    """Return the ids of the fields the page marks as wrong."""
    import re
    return set(re.findall(r'class="error" id="([a-z_]+)-error"', response.get_data(as_text=True)))


def test_a_minor_without_the_guardians_part_is_refused_next_to_each_field(client, db):
    response = client.post("/", data=valid_form(**MINOR))
    assert response.status_code == 422 and db["submissions"].count == 0
    assert {"guardian_name", "guardian_relationship", "guardian_signature"} <= errors_of(response)


@pytest.mark.slow
def test_a_minor_with_the_guardians_part_is_stored_flagged_and_sealed_with_it(app, client, db):
    assert client.post("/", data=valid_form(**MINOR, **GUARDIAN)).status_code == 302
    row = next(db["submissions"].rows)
    answers = json.loads(row["answers"])
    assert row["edition"] == EDITION and row["guardian_signature"].startswith(b"\x89PNG")
    assert (answers["guardian_name"], answers["guardian_relationship"]) == ("Mary Lovelace",
                                                                            "parent")
    assert row["status"] == "needs_review"  # under 18: a doctor decides
    with app.app_context():
        workflow.decide(db, app.config, row["id"], "dr.house", "declined",
                        note="Not before 18.")
    data = (Path(app.config["ARCHIVE_DIR"]) / archive.entry(db, row["id"])["path"]).read_bytes()
    reader = PdfReader(BytesIO(data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert "Mary Lovelace (parent) was present" in text and f"questionnaire edition {EDITION}" in text
    sizes = {image.image.size for page in reader.pages for image in page.images}
    assert sizes == {(600, 200), (500, 200)}  # the patient's and the guardian's own
    record = json.loads(reader.attachments["consent-record.json"][0])
    assert record["submission"]["edition"] == EDITION
    assert len(record["submission"]["guardian_signature_sha256"]) == 64
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0
    page = staff_client(app, "dr.grey", "doctor").get(f"/review/{row['id']}")
    assert "Mary Lovelace, parent; signature drawn" in page.get_data(as_text=True)


def test_an_adult_keeps_no_guardian_answers(client, db):
    assert client.post("/", data=valid_form(**GUARDIAN)).status_code == 302
    row = next(db["submissions"].rows)
    answers = json.loads(row["answers"])
    assert answers["guardian_name"] == "" and answers["guardian_relationship"] is None
    assert row["guardian_signature"] is None


def test_edition_1_answers_show_the_words_the_patient_read(app, tmp_path):
    old = opened("main-before-countersign", tmp_path)
    db = connect(old.config["DATABASE"])
    row = next(db["submissions"].rows_where("last_name = 'Lovelace'"))
    assert row["edition"] == "1"
    sections = answer_sections(json.loads(row["answers"]), json.loads(row["evaluation"]),
                               row["edition"])
    rows = {r["name"]: r for _, part in sections for r in part}
    assert rows["allergy_metal"]["label"] == \
        "Are you allergic to nickel, stainless steel or other metals?"
    assert "tattoo_in_area" not in rows  # never asked under edition 1
    doctor = staff_client(old, "dr.new", "doctor")
    page = doctor.get(f"/review/{row['id']}").get_data(as_text=True)
    assert "nickel, stainless steel or other metals" in page and "tattoo" not in page


def test_a_month_alone_this_month_counts_up_to_today(client, db):
    from conftest import TODAY
    month = TODAY.isoformat()[:7]
    assert client.post("/", data=valid_form(isotretinoin="stopped",
                                            isotretinoin_stopped_date=month)).status_code == 302
    answers = json.loads(next(db["submissions"].rows)["answers"])
    assert answers["isotretinoin_stopped_date"] == TODAY.isoformat()  # not a future date


@pytest.mark.slow
def test_a_guardian_who_cannot_draw_signs_by_typing_their_name(app, client, db):
    typed = {**GUARDIAN, "guardian_signature": "", "guardian_signature_typed": "y"}
    assert client.post("/", data=valid_form(**MINOR, **typed)).status_code == 302
    row = next(db["submissions"].rows)
    assert (row["guardian_signature_kind"], row["guardian_signature"]) == ("typed", b"")
    with app.app_context():
        workflow.decide(db, app.config, row["id"], "dr.house", "declined", note="Not yet.")
    data = (Path(app.config["ARCHIVE_DIR"]) / archive.entry(db, row["id"])["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    assert 'The parent or guardian typed their full name, "Mary Lovelace"' in text
    record = json.loads(PdfReader(BytesIO(data)).attachments["consent-record.json"][0])
    assert record["submission"]["guardian_signature_kind"] == "typed"
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0


def test_without_a_drawing_or_the_typed_box_the_guardian_has_not_signed(client, db):
    response = client.post("/", data=valid_form(**MINOR, **{**GUARDIAN,
                                                            "guardian_signature": ""}))
    assert response.status_code == 422 and "guardian_signature" in errors_of(response)


import pytest  # noqa: E402


@pytest.mark.parametrize("declaration", ["alternatives_understood", "results_not_guaranteed",
                                         "free_to_withdraw", "cost_explained",
                                         "questions_invited"])
def test_each_new_declaration_must_be_ticked(client, db, declaration):
    data = valid_form()
    del data[declaration]
    response = client.post("/", data=data)
    assert response.status_code == 422 and db["submissions"].count == 0
    assert declaration in errors_of(response)


def test_teaching_and_marketing_photos_start_at_no_and_the_tablet_says_so(client):
    import re
    page = client.get("/").get_data(as_text=True)
    for name in ("photo_teaching", "photo_marketing"):
        [no] = [tag for tag in re.findall(r"<input[^>]*>", page)
                if f'name="{name}"' in tag and 'value="no"' in tag]
        assert " checked " in no, name
    assert page.count("The answer is no unless you choose yes.") == 2
    assert not [tag for tag in re.findall(r"<input[^>]*>", page)
                if 'name="photo_consent"' in tag and " checked " in tag]  # asked, not assumed


@pytest.mark.slow
def test_the_pdf_prints_every_new_element_and_no_field_codes(app, client, db):
    import re

    from conftest import countersign
    assert client.post("/", data=valid_form(photo_consent="yes", photo_teaching="yes")
                       ).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    countersign(app, db, sid)
    data = (Path(app.config["ARCHIVE_DIR"]) / archive.entry(db, sid)["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    for words in ("I understand the other options, including having no treatment at all.",
                  "I understand that results vary and are not guaranteed",
                  "I know I can change my mind and stop at any time",
                  "May those photos be used, without your name, to teach clinicians? Yes",
                  "advertising or social media? No", "Call the clinic on 01234 567890",
                  f"questionnaire edition {EDITION}", "2 July 2026, 00:30 BST"):
        assert words in text, words
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text.replace("consent-record.json", "")), \
        re.findall(r"\b[a-z]+_[a-z_]+\b", text)  # no field names, only the patient's words


def test_new_submissions_on_a_database_from_before_are_edition_2(tmp_path):

    from conftest import enrolled_client
    old = opened("main-before-countersign", tmp_path)
    client = enrolled_client(old)
    assert client.post("/", data=valid_form(first_name="Emma", signed_name="Emma Lovelace",
                                            )).status_code == 302
    db = connect(old.config["DATABASE"])
    editions = {row["first_name"]: row["edition"] for row in db["submissions"].rows}
    assert editions.pop("Emma") == EDITION and set(editions.values()) == {"1"}
    assert old.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0


@pytest.mark.slow
def test_the_practitioner_confirms_the_guardian_who_is_named_as_consenting(app, client, db):
    from consent.evidence import fhir, fhir_export
    from consent.practice import signing

    from conftest import PIN
    assert client.post("/", data=valid_form(**MINOR, **GUARDIAN)).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    doctor = staff_client(app, "dr.grey", "doctor")
    decided = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "approved", "note": "Parent present; low depth only.",
        "override_reason": "Acne scarring; parent present and agrees; low depth."})
    assert decided.status_code == 302, decided.get_data(as_text=True)[-1500:]
    nurse = staff_client(app, "nurse.joy", "practitioner")
    signing.set_pin(db, "nurse.joy", PIN)
    page = nurse.get(f"/practice/{sid}").get_data(as_text=True)
    top = page.index("Under 18: the parent or guardian consents.")
    assert top < page.index("<h2>Countersign the consent</h2>") and "Mary Lovelace (parent)" \
        in page
    signed = {**CONFIRMED_FORM, "pin": PIN}
    refused = nurse.post(f"/practice/{sid}", data=signed)
    assert refused.status_code == 422 and b"guardian&#39;s identity and parental" in refused.data
    assert db["consents"].count == 0
    done = nurse.post(f"/practice/{sid}", data={**signed, "guardian_checked": "y"})
    assert done.status_code == 302 and db["consents"].get(sid)["guardian_checked"] == 1
    data = (Path(app.config["ARCHIVE_DIR"]) / archive.entry(db, sid)["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    assert "Mary Lovelace, parent, gave consent for them" in text
    assert "that Mary Lovelace has parental responsibility" in text
    with app.app_context():
        bundle = fhir_export.bundle_for(db, app.config, sid)
    found = {entry.resource.id: entry.resource for entry in bundle.entry}
    assert found["guardian"].name[0].text == "Mary Lovelace"
    assert found["guardian"].relationship[0].coding[0].code == "PRN"
    assert [p.reference for p in found["consent"].performer] == [
        fhir.urn(sid, "guardian"), fhir.urn(sid, "practitioner")]
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0
