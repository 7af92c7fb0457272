"""A record made in the patient's language prints theirs beside the clinic's, sealed as one."""
import json
import re
from io import BytesIO

import pytest
from fhir.resources.R4B.bundle import Bundle
from pypdf import PdfReader

from consent.evidence import pdf
from consent.intake import information

from conftest import (archived_bytes, assert_pdf_a_3b, config_for, countersign, enrolled_client,
                      make_app, text_of, treat, valid_form)

pytestmark = pytest.mark.slow
LAM = 0x0644  # an Arabic letter with four shapes: isolated, initial, medial, final


@pytest.fixture
def app(tmp_path):
    return make_app(config_for(tmp_path, PATIENT_LANGUAGES_ENABLED=("es", "pl", "ar"),
                               COOLING_OFF_HOURS={"microneedling": 0}))


def sealed_in(app, db, language):
    """Answer at the tablet in a language, countersign; return (submission, consent PDF)."""
    tablet = enrolled_client(app)
    assert tablet.post("/", data=valid_form(language=language, swim_within_24h="yes")) \
        .status_code == 302
    row = list(db["submissions"].rows)[-1]
    countersign(app, db, row["id"])
    return row, archived_bytes(app, db, row["id"])


def shapes_of(data, code_point):
    """Count the glyphs of one font that stand for the same character (its shapes)."""
    counts = []
    for page in PdfReader(BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            cmap = font.get_object().get("/ToUnicode")
            if cmap is not None:
                text = cmap.get_object().get_data().decode("latin-1")
                pairs = re.findall(r"<([0-9a-f]{4})> <([0-9a-f]{4})>", text, re.I)
                counts.append(len({g for g, u in pairs if int(u, 16) == code_point}))
    return max(counts, default=0)


def test_a_polish_consent_prints_both_languages_and_says_the_translation_was_a_draft(app, db):
    row, data = sealed_in(app, db, "pl")
    assert_pdf_a_3b(data)
    text = text_of(data)
    assert "The patient read and answered in Polski (pl)" in text
    assert "The translation was a draft" in text
    for english, polish in (("Answers", "Odpowiedzi"),
                            ("Do you have diabetes?", "Czy ma Pan/Pani cukrzycę?"),
                            ("My answers are complete and true",
                             "Moje odpowiedzi są pełne i prawdziwe"),
                            ("You told us you plan to swim", "Planuje Pan/Pani pływać")):
        assert english in text and polish in text
    # Both texts of the information are the ones kept by hash, the Polish in full.
    polish, _ = information.version(db, row["translation_sha256"])
    assert "Na czym polega" in polish and "Na czym polega" in text
    record = json.loads(PdfReader(BytesIO(data)).attachments[pdf.ATTACHMENT_NAME][0])
    assert {k: record["submission"][k] for k in ("language", "language_status",
                                                "translation_sha256")} == \
        {"language": "pl", "language_status": "draft",
         "translation_sha256": row["translation_sha256"]}
    bundle = json.loads(PdfReader(BytesIO(data)).attachments[pdf.FHIR_ATTACHMENT][0])
    Bundle.model_validate(bundle)
    languages = {e["resource"]["resourceType"]: e["resource"].get("language")
                 for e in bundle["entry"]}
    assert languages["QuestionnaireResponse"] == languages["Consent"] == "pl"
    assert app.test_cli_runner().invoke(args=["archive", "verify", "--full"]).exit_code == 0


def test_arabic_is_shaped_and_reads_in_order_when_extracted(app, db):
    row, data = sealed_in(app, db, "ar")
    text = text_of(data)
    for phrase in ("الإجابات", "هل لديك مرض السكري؟", "إجاباتي كاملة وصحيحة على حد علمي"):
        assert phrase in text
    assert shapes_of(data, LAM) >= 3  # joined letters, not a row of isolated ones
    # The clinic's number stays left to right inside Arabic sentences.
    arabic, _ = information.version(db, row["translation_sha256"])
    assert f"\u2066{app.config['CLINIC_PHONE']}\u2069" in arabic


def test_an_english_consent_prints_no_second_language(app, db):
    row, data = sealed_in(app, db, "en")
    text = text_of(data)
    assert "The patient read and answered in" not in text and "Odpowiedzi" not in text
    assert "language" not in json.loads(
        PdfReader(BytesIO(data)).attachments[pdf.ATTACHMENT_NAME][0])["submission"]


def test_the_treatment_record_follows_the_same_rule(app, db):
    row, _ = sealed_in(app, db, "es")
    treat(app, db, row["id"])
    text = text_of(archived_bytes(app, db, row["id"] + ".treatment"))
    assert "The patient read and answered in Español (es)" in text
    assert "What was done" in text and "Qué se hizo" in text
