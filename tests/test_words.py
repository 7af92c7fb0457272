"""Words a person reads: spoken dates, full names, whose record it is, no stray punctuation."""
import re
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from consent.evidence import archive
from consent.kernel.software import VERSION
from consent.kernel.storage import connect
from consent.practice import signing
from consent.staff import accounts

from conftest import CONFIRMED_FORM, PIN, TODAY, add_staff, log_in, valid_form

ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
FULL_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def named_staff(app, username, role, full_name, registration):
    """A member of staff with a full name, logged in with both factors."""
    db = connect(app.config["DATABASE"])
    add_staff(db, username, role)
    db["users"].update(username, {"full_name": full_name, "registration": registration})
    signing.set_pin(db, username, PIN)
    db.conn.close()
    client = app.test_client()
    assert log_in(app, client, username).status_code == 302
    return client


@pytest.mark.slow
def test_a_day_of_screens_and_records_reads_as_people_speak(app, client, db):
    stopped = TODAY.replace(day=1).replace(month=1)  # January, given without a day
    assert client.post("/", data=valid_form(
        cold_sore_history="yes", isotretinoin="stopped",
        isotretinoin_stopped_date=f"{stopped:%Y-%m}")).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    doctor = named_staff(app, "dr.patel", "doctor", "Dr Asha Patel", "GMC 1234567")
    decided = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "approved", "note": "Aciclovir from two days before, as agreed only."})
    assert decided.status_code == 302
    nurse = named_staff(app, "nurse.kerr", "practitioner", "Jo Kerr", "NMC 12A3456B")
    assert nurse.post(f"/practice/{sid}", data={
        **CONFIRMED_FORM, "pin": PIN}).status_code == 302
    for page in (doctor.get(f"/review/{sid}"), nurse.get(f"/practice/{sid}/treatment"),
                 nurse.get(f"/practice/{sid}/history")):
        text = page.get_data(as_text=True)
        assert not ISO_DAY.search(re.sub(r"<[^>]+>", " ", text)), ISO_DAY.search(text)
        assert "dr.patel" not in text.replace('value="dr.patel"', "")
        assert "Dr Asha Patel" in text or "Jo Kerr" in text
        assert ".." not in re.sub(r"<[^>]+>", " ", text).replace("...", "")
    page = doctor.get(f"/review/{sid}").get_data(as_text=True)
    assert "10 December 1985" in page and f"{stopped:%B %Y}" in page
    assert "Change password" in page and ": password" not in page
    data = (Path(app.config["ARCHIVE_DIR"]) / archive.entry(db, sid)["path"]).read_bytes()
    reader = PdfReader(BytesIO(data))
    text = " ".join(" ".join(p.extract_text().split()) for p in reader.pages)
    assert reader.metadata.title == f"Treatment consent: Ada Lovelace, {TODAY.day} " \
                                    f"{TODAY:%B %Y}"
    assert not ISO_DAY.search(text) and not FULL_HASH.search(text), text
    assert "?." not in text and ".." not in text
    assert f"consent {VERSION}" in text and VERSION != "unknown"
    assert "with their signing PIN" in text
    assert accounts.profile(db, "nurse.kerr")["full_name"] in text
