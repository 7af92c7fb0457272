"""FHIR R4B bundles of finalised records: generated from the one definition, validated."""
import csv
import json
from datetime import timedelta

import pytest
from fhir.resources.R4B.bundle import Bundle

from consent.evidence import fhir, fhir_export
from consent.intake.questionnaire import EDITION


def resources(bundle):
    """Map each resource type to its resources in a bundle."""
    found = {}
    for entry in bundle.entry:
        found.setdefault(entry.resource.get_resource_type(), []).append(entry.resource)
    return found


@pytest.mark.parametrize("status, release, staff", [
    ("treated", "permit", {"practitioner", "treating"}), ("consented", "permit", {"doctor", "practitioner"}),
    ("declined", "deny", {"doctor"})])
@pytest.mark.slow
def test_a_bundle_per_kind_of_record_validates(world, status, release, staff):
    app, db = world
    sid = next(db["submissions"].rows_where("status = ?", [status]))["id"]
    bundle = fhir_export.bundle_for(db, app.config, sid)
    again = Bundle.model_validate_json(bundle.model_dump_json())  # round-trips the models
    found = resources(again)
    [consent] = found["Consent"]
    assert consent.provision.type == release and consent.scope.coding[0].code == "treatment"
    assert consent.sourceAttachment.hash and consent.sourceAttachment.contentType == \
        "application/pdf"
    [response] = found["QuestionnaireResponse"]
    [form] = found["Questionnaire"]
    assert response.questionnaire == f"{fhir.URL}|{form.version}"
    assert form.version.startswith(f"edition-{EDITION}+")
    [provenance] = found["Provenance"]
    assert provenance.signature[0].sigFormat == "image/png"
    assert {person.id for person in found["Practitioner"]} == staff
    # Who consented (an adult patient), then who took consent in person.
    performers = ["patient"] + (["practitioner"] if "practitioner" in staff else [])
    assert [p.reference for p in consent.performer] == [fhir.urn(sid, p) for p in performers]
    signers = staff - {"treating"}  # who treated signs the treatment record, not this
    assert len(provenance.signature) == 1 + len(signers)  # the patient, and each of staff
    if "practitioner" in staff:
        assert "obtained their consent" in provenance.agent[-1].role[0].text
    flags = json.loads(next(db["submissions"].rows_where("id = ?", [sid]))["evaluation"])["flags"]
    assert len(found.get("DetectedIssue", [])) == len(flags)
    for issue in found.get("DetectedIssue", []):
        assert "Source: " in issue.detail
    assert len(found.get("Procedure", [])) == (status == "treated")


def test_the_questionnaire_follows_the_one_definition():
    from consent.intake.questionnaire import answer_questions
    form = fhir.questionnaire()
    link_ids = [item["linkId"] for group in form["item"] for item in group["item"]]
    assert set(q.name for q in answer_questions()) <= set(link_ids)


@pytest.mark.slow  # seals: the shared sealed instance, or records of its own
def test_fhir_export_writes_bundles_that_round_trip_and_a_manifest(world, tmp_path):
    app, db = world
    result = app.test_cli_runner().invoke(args=["fhir", "export", "--since", "2000-01-01",
                                                str(tmp_path / "out")])
    assert result.exit_code == 0 and "Exported 3 FHIR bundles" in result.output
    with open(tmp_path / "out" / "manifest.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 3
    for row in rows:
        bundle = Bundle.model_validate_json((tmp_path / "out" / row["file"]).read_text())
        [consent] = resources(bundle)["Consent"]
        assert bundle.type == "collection" and row["id"] in consent.sourceAttachment.title
    assert db["audit"].count_where("action = 'fhir_export'") == 1


@pytest.mark.slow  # seals: the shared sealed instance, or records of its own
def test_a_doctor_downloads_the_bundle_and_it_is_audited(world):
    from conftest import staff_client
    app, db = world
    sid = next(db["submissions"].rows)["id"]
    doctor = staff_client(app, "dr.fhir", "doctor")
    response = doctor.get(f"/review/{sid}/fhir")
    assert response.status_code == 200 and response.mimetype == "application/fhir+json"
    Bundle.model_validate_json(response.get_data())
    assert db["audit"].count_where("action = 'fhir_downloaded' and submission_id = ?", [sid]) == 1
    assert doctor.get("/review/nope/fhir").status_code == 404


@pytest.mark.slow  # seals: the shared sealed instance, or records of its own
def test_every_sealed_consent_carries_its_bundle_as_a_second_associated_file(world):
    from io import BytesIO
    from pathlib import Path

    from pypdf import PdfReader

    from consent.evidence import pdf
    app, db = world
    sealed = [row for row in db["archive"].rows if not row["submission_id"].endswith(
        ".treatment")]
    assert len(sealed) == 3
    for row in sealed:
        reader = PdfReader(BytesIO((Path(app.config["ARCHIVE_DIR"]) / row["path"]).read_bytes()))
        bundle = Bundle.model_validate_json(reader.attachments[pdf.FHIR_ATTACHMENT][0])
        [consent] = resources(bundle)["Consent"]
        # It sits inside the PDF it would have to hash: the title names it, the export hashes it
        assert row["submission_id"] in consent.sourceAttachment.title
        assert consent.sourceAttachment.hash is None
        exported = fhir_export.bundle_for(db, app.config, row["submission_id"])
        assert resources(exported)["Consent"][0].sourceAttachment.hash
        # The same resources, and what happened after the seal (a treatment, reactions).
        later = {e.fullUrl: e.resource.get_resource_type() for e in exported.entry}
        assert {e.fullUrl for e in bundle.entry} <= set(later)
        assert {kind for url, kind in later.items() if url not in {
            e.fullUrl for e in bundle.entry}} <= {"Procedure", "Practitioner", "Medication",
                                                   "AdverseEvent"}


def bundles_of(app, db):
    """Return every bundle of the archived consent records: exported, and sealed inside."""
    from io import BytesIO
    from pathlib import Path

    from pypdf import PdfReader

    from consent.evidence import pdf
    found = []
    for row in db["archive"].rows_where("submission_id not like '%.treatment'"):
        exported = fhir_export.bundle_for(db, app.config, row["submission_id"])
        found.append(json.loads(exported.model_dump_json()))
        reader = PdfReader(BytesIO((Path(app.config["ARCHIVE_DIR"]) / row["path"]).read_bytes()))
        found.append(json.loads(reader.attachments[pdf.FHIR_ATTACHMENT][0]))
    return found


def r4_problems(bundle):
    """List what HL7's R4 schema and the invariants of every resource say of a bundle."""
    import fhir_r4
    found = [error.message for error in fhir_r4.schema_validator().iter_errors(bundle)]
    for resource in fhir_r4.every_resource(bundle):
        found += [f"{resource['resourceType']}: {line}" for line in
                  fhir_r4.broken(resource) + fhir_r4.narrative_problems(resource)]
    by_type = {r["resourceType"]: r for r in fhir_r4.every_resource(bundle)}
    return found + fhir_r4.response_problems(by_type["Questionnaire"],
                                             by_type["QuestionnaireResponse"])


@pytest.mark.slow
def test_every_bundle_passes_hl7s_r4_schema_and_every_invariant(world):
    app, db = world
    bundles = bundles_of(app, db)
    assert len(bundles) == 6  # three consent records, each exported and sealed inside
    for bundle in bundles:
        assert r4_problems(bundle) == []


@pytest.mark.slow
def test_a_minors_bundle_answers_the_guardians_part_and_passes_too(tmp_path):
    from consent.kernel.storage import connect

    from conftest import (FROZEN, config_for, enrolled_client, make_app, signature_data_url,
                          staff_client, valid_form)
    app = make_app(config_for(tmp_path))
    db = connect(app.config["DATABASE"])
    assert enrolled_client(app).post("/", data=valid_form(
        first_name="Tom", signed_name="Tom Lovelace",
        date_of_birth=FROZEN.date().replace(year=FROZEN.year - 16).isoformat(),
        guardian_name="Mary Lovelace", guardian_relationship="parent",
        guardian_signature=signature_data_url(size=(500, 200)))).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    staff_client(app, "dr.house", "doctor").post(f"/review/{sid}/decide",
                                                 data={"outcome": "declined"})
    [bundle] = bundles_of(app, db)[:1]
    assert r4_problems(bundle) == []
    response = next(e["resource"] for e in bundle["entry"]
                    if e["resource"]["resourceType"] == "QuestionnaireResponse")
    answered = {i["linkId"] for g in response["item"] for i in g["item"]}
    assert {"guardian_name", "guardian_relationship", "guardian_signature"} <= answered


@pytest.mark.slow
def test_the_checks_catch_what_hl7_forbids(world):
    """The checks can fail: HL7's faults put back, each is named."""
    from conftest import FROZEN
    app, db = world
    bundle, answers = bundles_of(app, db)[:2]
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    del by_type["Consent"]["policyRule"]
    del by_type["Patient"]["text"]
    by_type["Questionnaire"]["item"][1]["linkId"] = "treatment"  # a group named as a question
    problems = "\n".join(r4_problems(bundle))
    for expected in ("ppc-1", "dom-6", "que-2"):
        assert expected in problems, problems
    by_type = {e["resource"]["resourceType"]: e["resource"] for e in answers["entry"]}
    treatment = next(g for g in by_type["QuestionnaireResponse"]["item"]
                     if g["linkId"] == "section-treatment")
    assert "last_session_date" not in str(treatment)  # no previous session: not asked
    last_month = (FROZEN - timedelta(days=30)).date().isoformat()
    treatment["item"] += [{"linkId": "last_session_date", "answer": [{"valueDate": last_month}]},
                          {"linkId": "first_name", "answer": [{"valueString": "Ada"}]}]
    problems = "\n".join(r4_problems(answers))
    for expected in ("last_session_date: answered, but not enabled",
                     "first_name: answered under section-treatment"):
        assert expected in problems, problems


@pytest.mark.slow
def test_a_treatment_is_a_procedure_and_a_reaction_an_adverse_event(world):
    from datetime import date

    from consent.evidence.fhir import urn
    from consent.visits import reactions
    app, db = world
    sid = next(db["submissions"].rows_where("first_name = 'Ada'"))["id"]
    signs = reactions.load_signs(app.config["REACTION_SIGNS_FILE"])
    reactions.report(db, signs, sid, "Redness and swelling that is getting worse", "face",
                     date(2026, 7, 2))
    bundle = json.loads(fhir_export.bundle_for(db, app.config, sid).model_dump_json())
    assert r4_problems(bundle) == []
    found = {}
    for entry in bundle["entry"]:
        found.setdefault(entry["resource"]["resourceType"], []).append(entry["resource"])
    [procedure], [event] = found["Procedure"], found["AdverseEvent"]
    assert procedure["status"] == "completed" and procedure["bodySite"] == [{"text": "Face"}]
    assert procedure["usedCode"] == [{"text": "Dermapen 4"}]
    assert procedure["performer"][0]["actor"]["reference"] == urn(sid, "treating")
    assert procedure["extension"][0]["valueReference"]["reference"] == urn(sid, "consent")
    assert event["suspectEntity"][0]["instance"]["reference"] == urn(sid, "procedure")
    assert event["seriousness"]["coding"][0]["code"] in ("serious", "non-serious")
    assert "getting worse" in event["event"]["text"]
