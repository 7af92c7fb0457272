"""The patient's language: chosen on the first screen, never carried to the next patient."""
import re

import pytest

from consent.intake import information, submissions
from consent.kernel.languages import offered, spoken_in
from consent.visits import reactions

from conftest import (SIGNATURE_PNG, TODAY, config_for, enrolled_client, make_app, patient,
                      staff_client, stored, valid_form)

DRAFTS = ("es", "pl", "ar")
LINK = re.compile(r"https://\S+/visit#(\S+)")


@pytest.fixture
def app(tmp_path, smtp):
    return make_app(config_for(tmp_path, PATIENT_LANGUAGES_ENABLED=DRAFTS,
                               PUBLIC_URL="https://clinic.example", **smtp.config()))


@pytest.fixture
def tablet(app):
    return enrolled_client(app)


def page(response):
    return response.get_data(as_text=True)


def test_drafts_are_offered_only_when_the_clinic_enables_them(tmp_path):
    assert list(offered()) == ["en"]
    assert list(offered(("pl",))) == ["en", "pl"]
    plain = enrolled_client(make_app(config_for(tmp_path)))
    first = page(plain.get("/"))
    assert "Choose your language" not in first
    chosen = page(plain.post("/", data={"choose_language": "pl"}))
    assert "Twarz" not in chosen and 'lang="en"' in chosen  # not enabled: not served


def test_the_first_screen_offers_each_language_in_its_own_words(tablet):
    first = page(tablet.get("/"))
    assert 'lang="en" dir="ltr"' in first and "Choose your language" in first
    for code, name in (("es", "Español"), ("pl", "Polski"), ("ar", "العربية")):
        assert f'value="{code}" lang="{code}"' in first and f">{name}</button>" in first


def test_arabic_is_laid_out_right_to_left_and_the_choice_rides_in_the_form(tablet):
    arabic = page(tablet.post("/", data={"choose_language": "ar"}))
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "هل لديك مرض السكري؟" in arabic and "Do you have diabetes?" not in arabic
    assert '<input type="hidden" name="language" value="ar">' in arabic
    assert "data-draft-language" in arabic  # a draft says so on every page
    assert "العناية بعد العلاج" in arabic  # the treatment's information, translated
    # The idle wipe (a fresh GET), or the next patient, starts in the clinic's language.
    assert '<html lang="en" dir="ltr">' in page(tablet.get("/"))


def test_a_shared_tablet_never_takes_the_language_from_the_browser(tablet):
    first = tablet.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9"})
    assert 'lang="en"' in page(first) and "Czy ma Pan/Pani cukrzycę?" not in page(first)


def test_checks_speak_the_patients_language_and_nothing_is_stored(tablet, db):
    refused = tablet.post("/", data=valid_form(language="pl", diabetes=None))
    assert refused.status_code == 422
    assert "Proszę wybrać jedną odpowiedź." in page(refused) and not stored(db)
    assert 'value="pl"' in page(refused)


def test_the_submission_keeps_the_language_its_status_and_the_text_read(tablet, db):
    sent = tablet.post("/", data=valid_form(language="pl"))
    assert sent.status_code == 302
    assert "Dziękujemy" in page(tablet.get(sent.headers["Location"]))
    assert "Thank you" in page(tablet.get("/thanks"))  # once: the next patient's is English
    row = stored(db)[0]
    assert (row["language"], row["language_status"]) == ("pl", "draft")
    assert row["answers"]["diabetes"] == "no"  # codes: a record reads in any language
    polish, _ = information.version(db, row["translation_sha256"])
    assert "Na czym polega" in polish and "What it is" not in polish
    english, _ = information.version(db, row["information_sha256"])
    assert "What it is" in english


def test_an_english_submission_keeps_no_language_columns(tablet, db):
    assert tablet.post("/", data=valid_form()).status_code == 302
    row = stored(db)[0]
    assert (row["language"], row["language_status"], row["translation_sha256"]) == \
        (None, None, None)


def test_what_this_means_for_you_speaks_the_chosen_language(tablet):
    lines = tablet.post("/for-you", data=valid_form(language="es", swim_within_24h="yes"))
    assert any(line.startswith("Nos dijo que piensa nadar") for line in lines.json["lines"])


def test_dates_follow_the_locale():
    assert spoken_in("en", "1988-05-14", "Europe/London") == "14 May 1988"
    assert spoken_in("pl", "1988-05-14", "Europe/London") == "14 maja 1988"
    assert spoken_in("es", "2026-03", "Europe/London") == "marzo de 2026"
    assert spoken_in("ar", "1988-05-14", "Europe/London") == "14 مايو 1988"


def test_a_booked_patient_reads_mail_link_and_questionnaire_in_their_language(app, smtp, db):
    reception = staff_client(app, "rita", "reception")
    assert "Language of the patient" in page(reception.get("/reception/visits/new"))
    booked = reception.post("/reception/visits/new", data={
        "first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10",
        "email": "ada@example.com", "phone": "", "treatment": "microneedling",
        "visit_date": TODAY.isoformat(), "language": "pl"})
    assert booked.status_code == 302
    assert app.test_cli_runner().invoke(args=["outbox", "send"]).exit_code == 0
    subject, body = smtp.bodies()[-1]
    assert subject == "Przed wizytą w The Skin Clinic"
    assert body.startswith("Dzień dobry") and "\nHello," in body  # then the clinic's words
    phone = app.test_client()
    opened = phone.post("/visit", data={"token": LINK.search(body).group(1),
                                        "date_of_birth": "1985-12-10"})
    assert opened.headers["Location"] == "/visit/questionnaire"
    assert "Czy ma Pan/Pani cukrzycę?" in page(phone.get("/visit/questionnaire"))


def test_the_link_page_offers_the_languages_and_keeps_the_token(app):
    phone = app.test_client()
    chosen = page(phone.post("/visit", data={"token": "abc", "choose_language": "es"}))
    assert '<html lang="es" dir="ltr">' in chosen and "Su fecha de nacimiento" in chosen
    assert '<input type="hidden" name="token" class="link-token" value="abc">' in chosen
    assert 'id="date_of_birth-error"' not in chosen  # choosing a language checks nothing


def test_a_language_nobody_offers_is_ignored_not_reflected(tablet):
    odd = page(tablet.post("/", data={"choose_language": '"><script>alert(1)</script>'}))
    assert '<html lang="en"' in odd and "<script>alert(1)" not in odd


def test_a_reaction_written_in_another_language_is_at_least_urgent(app, db):
    row = submissions.submit(db, app.extensions["consent.ruleset"], patient(), SIGNATURE_PNG,
                             TODAY)
    signs = app.extensions["consent.reaction_signs"]
    # "Slight redness, as expected": no English sign word, and none could match Polish ones.
    calm = reactions.report(db, signs, row["id"], "Lekkie zaczerwienienie", "face", TODAY,
                            language="pl")
    assert calm["urgent"] and "words were not checked" in calm["signs"]
    english = reactions.report(db, signs, row["id"], "Slight redness", "face", TODAY)
    assert not english["urgent"]


def test_an_error_page_speaks_the_language_of_the_page_it_came_from(tablet):
    too_big = tablet.post("/", data={"language": "es", "x": "y" * 600_000})
    assert too_big.status_code == 413 and 'lang="en"' in page(too_big)  # unread: too large
    odd = tablet.post("/", data={"language": "pl", "csrf_token": "forged"})
    assert odd.status_code == 400 and "Przepraszamy" in page(odd)
