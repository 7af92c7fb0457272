"""FHIR R4B bundles of finalised records: generated from the one definition, validated."""
import csv
import json

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
    ("treated", "permit", {"practitioner"}), ("consented", "permit", {"doctor", "practitioner"}),
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
    assert len(provenance.signature) == 1 + len(staff)  # the patient, and each of staff
    if "practitioner" in staff:
        assert "obtained their consent" in provenance.agent[-1].role[0].text
    flags = json.loads(next(db["submissions"].rows_where("id = ?", [sid]))["evaluation"])["flags"]
    assert len(found.get("DetectedIssue", [])) == len(flags)
    for issue in found.get("DetectedIssue", []):
        assert "Source: " in issue.detail


def test_the_questionnaire_follows_the_one_definition():
    from consent.intake.questionnaire import answer_questions
    form = fhir.questionnaire()
    link_ids = [item["linkId"] for group in form["item"] for item in group["item"]]
    assert set(q.name for q in answer_questions()) <= set(link_ids)


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
        assert [e.fullUrl for e in exported.entry] == [e.fullUrl for e in bundle.entry]
