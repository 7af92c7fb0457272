"""Signing without drawing: the patient types their name and confirms it is their signature."""
import json
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from consent.evidence import archive, fhir_export

from conftest import countersign, valid_form


def typed_form(**changes):
    """A valid form signed by typing, with no drawing."""
    data = valid_form(swim_within_24h="yes", signature_typed="y", **changes)
    del data["signature"]
    return data


@pytest.mark.slow
def test_a_typed_signature_is_stored_sealed_and_stated(app, client, db, runner):
    assert client.post("/", data=typed_form()).status_code == 302
    row = next(db["submissions"].rows)
    assert row["signature_kind"] == "typed" and row["signature"] == b""
    with app.app_context():
        countersign(app, db, row["id"])
    entry = archive.entry(db, row["id"])
    data = (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    assert 'Signature typed, not drawn. The patient typed their full name, "Ada Lovelace"' in text
    record = json.loads(PdfReader(BytesIO(data)).attachments["consent-record.json"][0])
    assert record["submission"]["signature_kind"] == "typed"
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    bundle = fhir_export.bundle_for(db, app.config, row["id"])
    [provenance] = [e.resource for e in bundle.entry
                    if e.resource.get_resource_type() == "Provenance"]
    assert provenance.signature[0].sigFormat == "text/plain"


def test_a_typed_signature_still_needs_the_patients_own_name(client, db):
    response = client.post("/", data=typed_form(signed_name="Someone Else"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Please type your first and last name" in page
    assert db["submissions"].count == 0


def test_neither_drawn_nor_typed_is_refused(client, db):
    data = valid_form()
    del data["signature"]
    response = client.post("/", data=data)
    assert response.status_code == 422 and db["submissions"].count == 0


def test_changing_how_a_patient_signed_is_caught(app, client, db, runner):
    client.post("/", data=typed_form())
    client.post("/", data=valid_form(first_name="Grace", signed_name="Grace Lovelace"))
    typed, drawn = (next(db["submissions"].rows_where("signature_kind = ?", [kind]))["id"]
                    for kind in ("typed", "drawn"))
    db["submissions"].update(typed, {"signature_kind": "drawn"})
    db["submissions"].update(drawn, {"signature_kind": "typed"})
    result = runner.invoke(args=["archive", "verify"])
    assert result.exit_code == 1
    for sid in (typed, drawn):
        assert f"submission {sid}: changed after it was written" in result.output
