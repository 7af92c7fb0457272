import json
from datetime import timedelta

import pytest

from consent import create_app
from consent.instance import initialise

from conftest import (PATIENT, TODAY, config_for, enrolled_client, signature_data_url, stored,
                      valid_form)


def test_get_shows_every_section(client):
    page = client.get("/").get_data(as_text=True)
    for title in ("About you", "Today&#39;s treatment", "Infection risk", "Bleeding and bruising",
                  "Skin and healing", "Allergies", "Anything else", "Consent and signature"):
        assert title in page
    assert 'src="/static/signature.js"' in page


def test_valid_submission_is_stored_as_the_dictionary_encodes_it(client, db):
    response = client.post("/", data=valid_form(areas=["neck", "face", "face"]))
    assert response.status_code == 302 and response.headers["Location"] == "/thanks"
    [row] = stored(db)
    assert row["answers"] == PATIENT
    assert row["status"] == "awaiting_consent"  # cleared: a practitioner countersigns next
    assert (row["first_name"], row["last_name"], row["date_of_birth"]) == \
        ("Ada", "Lovelace", "1985-12-10")
    assert row["signature"].startswith(b"\x89PNG") and len(row["id"]) >= 20
    thanks = client.get("/thanks").get_data(as_text=True)
    assert "Lovelace" not in thanks and "Next patient" in thanks


def test_hidden_answers_are_stored_empty_whatever_the_browser_sent(client, db):
    client.post("/", data=valid_form(had_previous_session="no", last_session_date="2020-01-01",
                                     last_session_areas=["face"], isotretinoin="current",
                                     isotretinoin_stopped_date="2021-01-01"))
    [row] = stored(db)
    assert row["answers"]["last_session_date"] is None
    assert row["answers"]["last_session_areas"] == []
    assert row["answers"]["isotretinoin_stopped_date"] is None


def test_follow_up_answers_are_stored_when_they_apply(client, db):
    last = (TODAY - timedelta(days=30)).isoformat()
    client.post("/", data=valid_form(had_previous_session="yes", last_session_date=last,
                                     last_session_areas=["face"], isotretinoin="stopped",
                                     isotretinoin_stopped_date="2020-03"))
    [row] = stored(db)
    assert row["answers"]["last_session_date"] == last
    assert row["answers"]["last_session_areas"] == ["face"]
    # A month stays a month in the record (the dictionary allows YYYY-MM); the rules read it
    # as its last day, so a waiting window is never shortened.
    assert row["answers"]["isotretinoin_stopped_date"] == "2020-03"


def test_a_month_alone_reads_as_a_month_and_counts_from_its_last_day(client, doctor, db):
    from consent.kernel.clock import MonthEnd, parse_date
    stopped = TODAY.replace(day=1) - timedelta(days=1)  # last month, given without a day
    client.post("/", data=valid_form(isotretinoin="stopped",
                                     isotretinoin_stopped_date=f"{stopped:%Y-%m}"))
    [row] = stored(db)
    assert parse_date(row["answers"]["isotretinoin_stopped_date"]) == stopped
    assert isinstance(parse_date(row["answers"]["isotretinoin_stopped_date"]), type(stopped))
    assert MonthEnd(2020, 3, 31).isoformat() == "2020-03" and MonthEnd(2020, 3, 31) > \
        MonthEnd(2020, 3, 31).replace(day=30)
    page = doctor.get(f"/review/{row['id']}").get_data(as_text=True)
    month = f"{stopped:%B %Y}"
    assert f"<td>{month} <strong>(flagged)</strong></td>" in page
    assert f"{stopped.day} {month}" not in page
    flag = [f for f in json.loads(row["evaluation"])["flags"] if "isotretinoin" in f["rule"]][0]
    assert f"Stopped isotretinoin on {month}," in flag["message"]


FUTURE = (TODAY + timedelta(days=1)).isoformat()
BAD_INPUTS = [
    ("required text", {"first_name": ""}, "first_name", "Please fill this in."),
    ("name too long", {"last_name": "a" * 101}, "last_name", "longer than 100"),
    ("html in a name", {"first_name": "<script>alert(1)</script>"}, "first_name",
     "Please don"),
    ("html in free text", {"medications": "<img src=x onerror=alert(1)>"}, "medications",
     "Please don"),
    ("control character", {"other_conditions": "ok\x00\x07"}, "other_conditions",
     "control"),
    ("bidi override in a name", {"first_name": "Ada\u202e"}, "first_name", "control"),
    ("digits in a name", {"last_name": "L0velace"}, "last_name", "letters only"),
    ("phone characters", {"phone": "call me"}, "phone", "digits"),
    ("phone too long", {"phone": "1" * 31}, "phone", "longer than 30"),
    ("email", {"email": "not-an-email"}, "email", "valid e-mail"),
    ("missing date of birth", {"date_of_birth": ""}, "date_of_birth", "date of birth"),
    ("future date of birth", {"date_of_birth": FUTURE}, "date_of_birth", "future"),
    ("born over 120 years ago", {"date_of_birth": "1890-01-01"}, "date_of_birth",
     "year of birth"),
    ("not a date", {"date_of_birth": "10/12/1985"}, "date_of_birth", "Not a valid date"),
    ("wrong choice", {"treatment": "laser"}, "treatment", "Not a valid choice"),
    ("missing choice", {"treatment": None}, "treatment", "Please choose one"),
    ("no area", {"areas": []}, "areas", "at least one area"),
    ("wrong multi value", {"areas": ["face", "elbow"]}, "areas", "not a valid choice"),
    ("yes/no missing", {"cold_sore_now": None}, "cold_sore_now", "yes or no"),
    ("yes/no wrong value", {"cold_sore_now": "maybe"}, "cold_sore_now", "Not a valid choice"),
    ("last session date required", {"had_previous_session": "yes",
                                    "last_session_areas": ["face"]},
     "last_session_date", "date of your last session"),
    ("last session areas required", {"had_previous_session": "yes",
                                     "last_session_date": "2024-01-01"},
     "last_session_areas", "at least one area"),
    ("last session in the future", {"had_previous_session": "yes", "last_session_date": FUTURE,
                                    "last_session_areas": ["face"]},
     "last_session_date", "future"),
    ("isotretinoin stop date required", {"isotretinoin": "stopped"},
     "isotretinoin_stopped_date", "when you stopped"),
    ("allergy details too long", {"allergy_details": "a" * 501}, "allergy_details",
     "longer than 500"),
    ("questions too long", {"questions_for_doctor": "a" * 1001}, "questions_for_doctor",
     "longer than 1000"),
    ("declaration unticked", {"read_information": None}, "read_information", "tick"),
    ("truthful unticked", {"answers_truthful": None}, "answers_truthful", "tick"),
    ("aftercare unticked", {"aftercare_agreed": None}, "aftercare_agreed", "tick"),
    ("photo consent missing", {"photo_consent": None}, "photo_consent", "yes or no"),
    ("signed name differs", {"signed_name": "Grace Hopper"}, "signed_name",
     "first and last name"),
    ("blank signature", {"signature": signature_data_url(ink=False)}, "signature",
     "Please sign"),
    ("no signature", {"signature": ""}, "signature", "Please sign"),
    ("oversized signature", {"signature": signature_data_url(size=(3000, 200))}, "signature",
     "could not be read"),
    ("svg signature", {"signature": "data:image/svg+xml;base64,PHN2Zz48L3N2Zz4="}, "signature",
     "could not be read"),
    ("not base64", {"signature": "data:image/png;base64,!!!"}, "signature", "could not be read"),
    ("area not offered", {"treatment": "mesotherapy_injection", "areas": ["face", "thighs"]},
     "areas", "Mesotherapy: active ingredients injected is not offered on the thighs."),
    ("not a png", {"signature": "data:image/png;base64,R0lGODlhAQABAAAAACw="}, "signature",
     "could not be read"),
]


@pytest.mark.parametrize("overrides, field, message",
                         [case[1:] for case in BAD_INPUTS], ids=[case[0] for case in BAD_INPUTS])
@pytest.mark.slow
def test_bad_input_is_explained_next_to_the_field_and_not_stored(client, db, overrides, field,
                                                                  message):
    response = client.post("/", data=valid_form(**overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    start = page.index(f'id="q-{field}"')
    assert message in page[start:start + 3000]
    assert f'id="{field}-error"' in page
    assert stored(db) == []


def test_an_area_is_accepted_where_its_treatment_is_offered(client, db):
    assert client.post("/", data=valid_form(treatment="mesotherapy_injection",
                                            areas=["face", "scalp"])).status_code == 302
    assert client.post("/", data=valid_form(areas=["thighs"])).status_code == 302


def test_typed_answers_are_kept_after_an_error(client):
    page = client.post("/", data=valid_form(first_name="", medications="Metformin 500 mg"))
    text = page.get_data(as_text=True)
    assert "Metformin 500 mg" in text and 'value="Lovelace"' in text


def test_markup_is_escaped_when_shown_back(client):
    page = client.post("/", data=valid_form(first_name="", other_conditions="a < b & \"c\""))
    assert "a &lt; b &amp; &#34;c&#34;" in page.get_data(as_text=True)


def test_signed_name_ignores_case_and_spacing(client, db):
    client.post("/", data=valid_form(signed_name="  ada   LOVELACE "))
    assert len(stored(db)) == 1


def test_over_large_request_is_refused(client, db):
    response = client.post("/", data=valid_form(medications="x" * 600_000))
    assert response.status_code == 413
    assert stored(db) == []


def test_csrf_token_is_required(tmp_path):
    app = create_app(config_for(tmp_path, WTF_CSRF_ENABLED=True))
    initialise(app)
    client = enrolled_client(app)
    response = client.post("/", data=valid_form())
    assert response.status_code == 400
    page = client.get("/").get_data(as_text=True)
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    assert client.post("/", data=valid_form(csrf_token=token)).status_code == 302
