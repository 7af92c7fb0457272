"""An independent FHIR forms engine (LHC-Forms, from npm) renders the questionnaire we
serve as an SDC Questionnaire and shows a patient exactly the questions we asked them."""
from datetime import timedelta
from pathlib import Path

import pytest

from consent.evidence import fhir_export
from consent.evidence.fhir_questionnaire import answers_of, enabled
from consent.intake import submissions
from consent.intake.questionnaire import EDITION, SECTIONS
from consent.kernel.storage import connect

from conftest import (FROZEN, config_for, enrolled_client, make_app, signature_data_url,
                      staff_client, valid_form)

pytestmark = pytest.mark.slow
LFORMS = Path(__file__).parents[1] / "node" / "lforms" / "dist" / "lforms"
SCRIPTS = ("webcomponent/assets/lib/zone.min.js", "webcomponent/runtime.js",
           "webcomponent/polyfills.js", "webcomponent/main.js", "fhir/R4/lformsFHIR.min.js")
RENDER = """async ([questionnaire, response]) => {
    const form = LForms.Util.convertFHIRQuestionnaireToLForms(questionnaire, 'R4');
    const filled = LForms.Util.mergeFHIRDataIntoLForms('QuestionnaireResponse', response,
                                                        form, 'R4');
    await LForms.Util.addFormToPage(filled, 'form', {fhirVersion: 'R4'});
}"""


@pytest.fixture
def lforms(browser, tmp_path):
    """A page with LHC-Forms loaded, its clock at the tests' frozen time."""
    scripts = "".join(f'<script src="{(LFORMS / name).as_uri()}"></script>' for name in SCRIPTS)
    page_file = tmp_path / "lforms.html"
    page_file.write_text('<!doctype html><html lang="en"><head><meta charset="utf-8">'
                         f'<title>LHC-Forms</title></head><body><div id="form"></div>{scripts}'
                         '</body></html>')
    page = browser.new_context().new_page()
    page.clock.set_fixed_time(FROZEN)  # its today() is the day these patients answered
    page.goto(page_file.as_uri())
    page.wait_for_function("window.LForms && LForms.FHIR")
    yield page
    page.context.close()


def shown(page, questionnaire, response):
    """Render the questionnaire filled with a response; return the questions LHC-Forms shows."""
    page.evaluate(RENDER, [questionnaire, response])
    page.wait_for_selector('[id^="label-first_name/"]')
    labels = page.eval_on_selector_all('[id^="label-"]', "all => all.map(e => e.id)")
    return {label[len("label-"):].split("/")[0] for label in labels} - {""} - {
        label[len("label-"):].split("/")[0] for label in labels if "section-" in label}


@pytest.mark.parametrize("patient", [
    dict(had_previous_session="yes", last_session_areas=["neck"], isotretinoin="stopped",
         isotretinoin_stopped_date="2025-01"),
    dict(first_name="Tom", signed_name="Tom Lovelace", guardian_name="Mary Lovelace",
         guardian_relationship="parent", guardian_signature=signature_data_url(size=(500, 200)))],
    ids=["adult-with-a-previous-session", "minor"])
def test_lhc_forms_shows_the_questions_we_asked(tmp_path, lforms, patient):
    app = make_app(config_for(tmp_path))
    if patient.get("guardian_name"):
        patient["date_of_birth"] = (FROZEN.date() - timedelta(days=365 * 16)).isoformat()
    if patient.get("had_previous_session"):
        patient["last_session_date"] = (FROZEN.date() - timedelta(days=30)).isoformat()
    assert enrolled_client(app).post("/", data=valid_form(**patient)).status_code == 302
    db = connect(app.config["DATABASE"])
    submission = submissions.get(db, next(db["submissions"].rows)["id"])
    served = staff_client(app, "dr.house", "doctor").get(f"/fhir/Questionnaire/{EDITION}")
    bundle = fhir_export.embedded(db, app.config, submission)
    [response] = [e["resource"] for e in bundle["entry"]
                  if e["resource"]["resourceType"] == "QuestionnaireResponse"]
    ours = {q.name for s in SECTIONS for q in s.questions
            if enabled(q, answers_of(submission))}
    assert shown(lforms, served.get_json(), response) == ours
    assert ("last_session_date" in ours) == ("had_previous_session" in patient)
    assert ("guardian_name" in ours) == ("guardian_name" in patient)


def test_the_sdc_questionnaire_is_for_staff_and_names_the_edition_in_force(app):
    assert app.test_client().get(f"/fhir/Questionnaire/{EDITION}").status_code == 302
    doctor = staff_client(app, "dr.house", "doctor")
    served = doctor.get(f"/fhir/Questionnaire/{EDITION}")
    assert served.status_code == 200 and served.mimetype == "application/fhir+json"
    form = served.get_json()
    assert form["meta"]["profile"][0].startswith("http://hl7.org/fhir/uv/sdc/")
    assert any("enableWhen" in item for group in form["item"] for item in group["item"])
    assert doctor.get("/fhir/Questionnaire/1").status_code == 404
