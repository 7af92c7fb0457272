import errno
import hashlib
import json
import os
import re
import sqlite3
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from consent import workflow
from consent.evidence import archive, pdf
from consent.evidence.finalise import ArchiveError, NotReady, finalise, sealed_document
from consent.evidence.seal import keys, seal, seal_check
from consent.instance import anchor
from consent.intake import information, submissions

from conftest import CONFIRMED_FORM, PIN, assert_pdf_a_3b, countersign, submit, valid_form


def archived(app, db, submission_id):
    """Return the archive entry and the PDF bytes of a finalised submission."""
    entry = archive.entry(db, submission_id)
    return entry, (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()


def text_of(data):
    """Extract a PDF's text with line breaks folded, as a reader sees it."""
    reader = PdfReader(BytesIO(data))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def verify(runner):
    result = runner.invoke(args=["archive", "verify"])
    # Drop the informational lines (levels, renewal), keep problems and the summary.
    lines = [line for line in result.output.splitlines(keepends=True)
             if not line.startswith(("PAdES levels:", "Earliest renewal:", "No trusted time",
                                     "No off-host witness", "Off-host witness"))]
    return result.exit_code, "".join(lines).rsplit("archived records", 1)[0]


@pytest.fixture
def cleared(app, client, db):
    """Submit a cleared questionnaire through the tablet form and countersign it; its id."""
    client.post("/", data=valid_form(swim_within_24h="yes"))
    submission_id = next(db["submissions"].rows)["id"]
    assert archive.entry(db, submission_id) is None  # nothing is sealed at the tablet
    countersign(app, db, submission_id)
    return submission_id


@pytest.mark.slow
def test_cleared_submission_is_archived_with_everything_readable(app, db, cleared):
    ruleset = app.extensions["consent.ruleset"]
    entry, data = archived(app, db, cleared)
    text, read = text_of(data), submissions.get(db, cleared)["information_sha256"]
    for line in ["Redness, swelling and a feeling like sunburn", "Very common: almost everyone",
                 "A little bleeding", "Bruising", "Skin infection that needs antibiotics",
                 "Cold sores coming back", "Darker or lighter patches",
                 "An allergic reaction", "Scarring, or small lumps", "Serious:",
                 "SPF 50+ sunscreen every day for at least a week",
                 "Do not swim in a pool, the sea or a lake",
                 "clean water: no soap, cleanser or toner", "harsh chemicals",
                 "about an hour after treatment", "4 to 6 hours or overnight", "mildly sunburnt",
                 "at least 7 days before the same area", "7 to 14 days apart",
                 "No result can be promised", "No treatment at all: this is always an option",
                 "Chemical peels or laser treatments", "£120 a session",
                 "Call the clinic on 01234 567890 straight away", "pus, a fever",
                 "When the clinic is closed, call NHS 111", "change your mind at any time",
                 "30 to 60 minutes", "5 to 7", "up to 12",
                 "Ada Lovelace", "10 December 1985", "Face, Neck", "Micro-needling",
                 "Cleared by the rule set", "Plans to swim within a day after treatment",
                 "plan to swim: do not swim in a pool, the sea or a lake on the day of your",
                 f"Document {cleared}", "Page 1 of", read[:12],
                 f"rule set {ruleset.version}",  # the full hashes are in the attachment
                 "Typed name: Ada Lovelace", "Consent taken in person",
                 "I discussed this treatment with the patient and obtained their consent.",
                 "Countersigned by nurse.joy on 2 July 2026, 00:30 BST"]:
        assert line in text, line
    reader = PdfReader(BytesIO(data))
    images = {image.image.size for page in reader.pages for image in page.images}
    assert images == {(600, 200)}  # the drawn signature, and nothing else
    assert set(reader.attachments) == {pdf.ATTACHMENT_NAME, pdf.FHIR_ATTACHMENT}
    record = json.loads(reader.attachments[pdf.ATTACHMENT_NAME][0])
    name = pdf.ATTACHMENT_NAME
    stored = submissions.get(db, cleared)
    assert name == pdf.ATTACHMENT_NAME
    assert record["answers"] == stored["answers"]
    assert record["evaluation"] == stored["evaluation"]
    assert record["submission"]["id"] == cleared and record["decision"] is None
    assert record["submission"]["status"] == "consented"
    assert record["consent"]["practitioner"] == "nurse.joy"
    assert record["submission"]["information_sha256"] == read == information.digest(
        information.render(["microneedling"], "01234 567890"))
    assert b"pdfaid:part" in reader.trailer["/Root"]["/Metadata"].get_data()  # PDF/A
    assert b"/ByteRange" in data
    assert oct(os.stat(Path(app.config["ARCHIVE_DIR"]) / entry["path"]).st_mode)[-3:] == "400"
    assert entry["path"].startswith(stored["created_at"][:4] + "/")


def test_flagged_submission_waits_for_a_doctor(app, db, client):
    client.post("/", data=valid_form(cold_sore_now="yes"))
    submission_id = next(db["submissions"].rows)["id"]
    assert archive.entry(db, submission_id) is None
    with pytest.raises(NotReady):
        finalise(db, app.config, submission_id)


@pytest.mark.slow
def test_finalising_twice_archives_once(app, db, cleared):
    first = archive.entry(db, cleared)
    assert finalise(db, app.config, cleared) == first
    assert len(list(Path(app.config["ARCHIVE_DIR"]).rglob("*.pdf"))) == 1


@pytest.mark.slow
def test_patient_text_is_escaped_and_nothing_is_fetched(app, db, monkeypatch):
    fetched = []
    original = pdf.ConsentFetcher.fetch
    monkeypatch.setattr(pdf.ConsentFetcher, "fetch",
                        lambda self, url, headers=None: fetched.append(url) or
                        original(self, url, headers))
    name = ('<img src="file:///etc/passwd"><link rel="attachment" '
            'href="file:///etc/hostname">')
    row = submit(app, db, first_name=name,
                 medications='<img src="http://127.0.0.1:9/tracker.png"> & zinc')
    entry = finalise(db, app.config, row["id"])
    data = (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()
    text = text_of(data)
    assert name in text.replace("\" >", "\">") or '<img src="file:///etc/passwd">' in text
    assert 'href="file:///etc/hostname">' in text
    assert '<img src="http://127.0.0.1:9/tracker.png"> & zinc' in text
    assert all(url.startswith("data:") or url.startswith(pdf.ASSETS.as_uri()) for url in fetched)
    assert sorted(PdfReader(BytesIO(data)).attachments) == [pdf.ATTACHMENT_NAME,
                                                            pdf.FHIR_ATTACHMENT]
    assert b"root:" not in data


def test_fetcher_refuses_files_and_network():
    fetcher = pdf.ConsentFetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1:9/", "https://example.com/x.png",
                pdf.ASSETS.as_uri() + "/../../__init__.py"):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


@pytest.mark.slow
def test_verify_passes_on_a_sound_archive(runner, cleared):
    assert verify(runner) == (0, "1 ")


@pytest.mark.slow
def test_verify_detects_a_flipped_byte(app, db, runner, cleared):
    entry, data = archived(app, db, cleared)
    path = Path(app.config["ARCHIVE_DIR"]) / entry["path"]
    path.chmod(0o644)
    flipped = bytearray(data)
    flipped[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(flipped))
    code, output = verify(runner)
    assert code == 1 and "file content differs" in output and "seal is not valid" in output


@pytest.mark.slow
def test_verify_detects_a_deleted_file(app, db, runner, cleared):
    entry, _ = archived(app, db, cleared)
    (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).unlink()
    code, output = verify(runner)
    assert code == 1 and "file missing" in output


@pytest.mark.slow
def test_archive_rows_are_write_once_and_edits_are_detected(app, db, runner, cleared):
    with pytest.raises(sqlite3.IntegrityError, match="write-once"):
        db.execute("update archive set sha256 = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="write-once"):
        db.execute("delete from archive")
    db.execute("drop trigger archive_no_update")  # someone with file access goes further
    db.execute("update archive set archived_at = '2020-01-01T00:00:00+00:00'")
    code, output = verify(runner)
    assert code == 1 and "entry fields do not match its hash" in output


@pytest.mark.slow
def test_verify_detects_a_file_replaced_by_another_sealed_pdf(app, db, client, runner, cleared):
    client.post("/", data=valid_form(first_name="Grace", last_name="Hopper",
                                     signed_name="Grace Hopper"))
    other = next(r for r in db["submissions"].rows if r["id"] != cleared)["id"]
    countersign(app, db, other)
    entry, _ = archived(app, db, cleared)
    _, other_data = archived(app, db, other)
    path = Path(app.config["ARCHIVE_DIR"]) / entry["path"]
    path.chmod(0o644)
    path.write_bytes(other_data)
    code, output = verify(runner)
    assert code == 1 and f"({cleared}): file content differs" in output


@pytest.mark.slow
def test_verify_detects_an_incremental_update_after_sealing(app, db, runner, cleared):
    entry, data = archived(app, db, cleared)
    writer = PdfWriter(BytesIO(data), incremental=True)
    writer.add_metadata({"/Title": "Edited after sealing"})
    out = BytesIO()
    writer.write(out)
    assert out.getvalue().startswith(data)  # the original bytes and seal are intact
    # pyHanko's diff policy tolerates a metadata-only revision (bottom_line stays true),
    # so the seal must also cover the whole file.
    assert seal_check.check(out.getvalue(), keys.from_config(app.config)).problems == \
        ["bytes were added after sealing"]


@pytest.mark.slow
def test_interrupted_finalisation_adopts_a_sound_file_and_refuses_a_bad_one(app, db):
    row = submit(app, db)
    done = finalise(db, app.config, row["id"])
    path = Path(app.config["ARCHIVE_DIR"]) / done["path"]
    # Simulate a kill between writing the file and recording it.
    fresh = submit(app, db, first_name="Grace", last_name="Hopper", signed_name="Grace Hopper")
    target = path.with_name(f"{fresh['id']}.pdf")
    for wrong in (b"%PDF-1.7 half written", path.read_bytes()):  # broken; another patient's
        target.write_bytes(wrong)
        with pytest.raises(ArchiveError):
            finalise(db, app.config, fresh["id"])
        assert archive.entry(db, fresh["id"]) is None
        target.unlink()
    sound, _ = sealed_document(db, app.config, submissions.get(db, fresh["id"]))
    target.write_bytes(sound)  # its own complete sealed file is adopted as it is
    entry = finalise(db, app.config, fresh["id"])
    assert entry["sha256"] == archive.sha256(sound)


@pytest.mark.slow
def test_verify_names_a_crash_leftover_and_retry_completes_it(app, db, runner):
    fresh = submit(app, db)
    leftover = Path(app.config["ARCHIVE_DIR"]) / "2026" / "07" / f"{fresh['id']}.pdf"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(sealed_document(db, app.config, submissions.get(db, fresh["id"]))[0])
    anchor(app.config)  # what the app does after every write this test made directly
    result = runner.invoke(args=["archive", "verify"])
    assert result.exit_code == 0, result.output
    assert f"awaiting `flask archive retry`: 2026/07/{fresh['id']}.pdf" in result.output
    assert runner.invoke(args=["archive", "retry"]).exit_code == 0
    clean = runner.invoke(args=["archive", "verify"])
    assert clean.exit_code == 0 and "awaiting" not in clean.output


@pytest.mark.slow
def test_verify_reports_an_unindexed_file_that_is_not_a_sound_leftover(app, db, runner):
    done = finalise(db, app.config, submit(app, db)["id"])
    other = submit(app, db, first_name="Grace", last_name="Hopper", signed_name="Grace Hopper")
    archived = Path(app.config["ARCHIVE_DIR"]) / done["path"]
    archived.with_name(f"{other['id']}.pdf").write_bytes(archived.read_bytes())
    result = runner.invoke(args=["archive", "verify"])
    assert result.exit_code == 1 and "unindexed file" in result.output
    assert "awaiting" not in result.output


def test_startup_sweep_removes_only_dead_workers_temp_files(app, tmp_path):
    month = Path(app.config["ARCHIVE_DIR"]) / "2026" / "11"
    month.mkdir(parents=True)
    dead = month / ".x.pdf.ab12.999999999.tmp"
    alive = month / f".y.pdf.cd34.{os.getpid()}.tmp"
    dead.write_bytes(b"partial")
    alive.write_bytes(b"in progress")
    assert archive.sweep_temp_files(app.config["ARCHIVE_DIR"]) == 1
    assert not dead.exists() and alive.exists()


@pytest.mark.slow
def test_export_copies_pdfs_with_a_manifest(app, db, runner, cleared, tmp_path):
    dest = tmp_path / "export"
    result = runner.invoke(args=["archive", "export", "--since", "2000-01-01", str(dest)])
    assert result.exit_code == 0 and "Exported 1 consents" in result.output
    manifest = (dest / "manifest.csv").read_text().splitlines()
    entry = archive.entry(db, cleared)
    assert manifest[0] == "id,patient,date,status,sha256,file"
    assert manifest[1].startswith(f"{cleared},Ada Lovelace,") and entry["sha256"] in manifest[1]
    assert [row["detail"] for row in db["audit"].rows if row["action"] == "export"] == \
        ["1 consents treated since 2000-01-01"]
    assert archive.sha256((dest / f"{cleared}.pdf").read_bytes()) == entry["sha256"]


@pytest.mark.slow
def test_any_archiving_failure_keeps_the_countersignature_and_says_so(app, db, client,
                                                                      practitioner, monkeypatch):
    client.post("/", data=valid_form())
    submission_id = next(db["submissions"].rows)["id"]
    monkeypatch.setattr(seal, "seal", lambda *args: (_ for _ in ()).throw(ValueError("boom")))
    response = practitioner.post(f"/practice/{submission_id}", data={
        **CONFIRMED_FORM, "pin": PIN}, follow_redirects=True)
    assert response.status_code == 200 and b"could not be made yet" in response.data
    assert db["consents"].count == 1 and db["archive"].count == 0


def fail_with(code):
    """Build a stand-in that raises an OSError with this errno."""
    def fail(*args, **kwargs):
        raise OSError(code, os.strerror(code))
    return fail


@pytest.mark.parametrize("where, code", [("fsync", errno.ENOSPC), ("open", errno.EROFS)],
                         ids=["disk full at fsync", "read-only archive folder"])
@pytest.mark.slow
def test_storage_failure_keeps_the_answers_for_retry_and_leaves_no_file(
        app, db, client, runner, monkeypatch, where, code):
    # Injected, because root (who runs CI) ignores folder permissions and quotas.
    if where == "fsync":
        monkeypatch.setattr(archive.os, "fsync", fail_with(code))
    else:
        monkeypatch.setattr(archive, "open", fail_with(code), raising=False)
    assert client.post("/", data=valid_form()).status_code == 302
    with app.app_context():
        assert countersign(app, db, next(db["submissions"].rows)["id"]) is False
    assert db["consents"].count == 1 and db["archive"].count == 0
    files = [p for p in Path(app.config["ARCHIVE_DIR"]).rglob("*") if p.is_file()]
    assert files == []  # no temp file, no half-written PDF
    monkeypatch.undo()
    result = runner.invoke(args=["archive", "retry"])
    assert result.exit_code == 0 and "Finalised 1" in result.output
    assert db["archive"].count == 1 and verify(runner)[0] == 0


@pytest.mark.slow
def test_the_patient_reads_their_own_treatment_and_the_pdf_prints_exactly_that(app, db, client):
    app.config["COOLING_OFF_HOURS"] = {"mesotherapy_injection": 0}
    page = client.get("/").get_data(as_text=True)
    shown = re.search(r'<div data-show-if="treatment=mesotherapy_injection">(.*?)</div>\s*'
                      r'(?:<div data-show-if|</section>)', page, re.S)[1]
    assert "vascular occlusion" in shown and "derma-roller" not in shown
    assert client.post("/", data=valid_form(treatment="mesotherapy_injection")) \
        .status_code == 302
    row = next(db["submissions"].rows)
    kept = db["information_texts"].get(row["information_sha256"])
    assert kept["source"] == shown and kept["format"] == "html"  # exactly what was shown
    assert row["information_sha256"] == hashlib.sha256(shown.encode()).hexdigest()
    with app.app_context():
        countersign(app, db, row["id"])
    text = text_of(archived(app, db, row["id"])[1])
    for item in re.findall(r"<li>(.*?)</li>", shown, re.S):
        item = re.sub(r"<[^>]+>", "", item)
        assert " ".join(item.split()) in text, item
    assert "Micro-needling makes" not in text  # nothing about a treatment not chosen


@pytest.mark.slow
def test_sealed_record_stays_pdf_a_3b(app, db, cleared):
    assert_pdf_a_3b(archived(app, db, cleared)[1])


def test_the_seal_certificate_is_an_end_entity(app):
    from cryptography import x509
    cert = x509.load_pem_x509_certificate((Path(app.config["SEAL_DIR"]) / "cert.pem").read_bytes())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign


def test_init_writes_a_signing_request_for_the_seal_key(app, runner, tmp_path):
    from cryptography import x509
    result = runner.invoke(args=["init", "--csr", str(tmp_path / "seal.csr")])
    assert result.exit_code == 0 and "signing request" in result.output
    request = x509.load_pem_x509_csr((tmp_path / "seal.csr").read_bytes())
    cert = x509.load_pem_x509_certificate((Path(app.config["SEAL_DIR"]) / "cert.pem").read_bytes())
    assert request.is_signature_valid
    assert request.public_key().public_numbers() == cert.public_key().public_numbers()
    assert "consent seal" in request.subject.rfc4514_string()


@pytest.mark.parametrize("outcome, title, absent", [
    ("declined", "Eligibility decision", ["Treatment consent", "I will follow the aftercare",
                                          "Aftercare"]),
    ("approved", "Treatment consent", ["Eligibility decision", "no treatment may be given"]),
])
@pytest.mark.slow
def test_a_declined_patient_gets_an_eligibility_decision_not_a_consent(app, db, client,
                                                                       outcome, title, absent):
    client.post("/", data=valid_form(cold_sore_history="yes"))
    submission_id = next(db["submissions"].rows)["id"]
    with app.app_context():
        workflow.decide(db, app.config, submission_id, "dr.house", outcome)
        if outcome == "approved":
            assert archive.entry(db, submission_id) is None  # sealed once countersigned
            countersign(app, db, submission_id)
    text = text_of(archived(app, db, submission_id)[1])
    assert text.startswith(f"{title} ")
    for words in absent:
        assert words not in text, words
    if outcome == "declined":
        assert "The doctor declined this treatment: no treatment may be given" in text


@pytest.mark.parametrize("padding", range(0, 60, 6))
@pytest.mark.slow
def test_a_question_and_its_answer_never_part_across_pages(app, db, padding):
    # Answers of different lengths move the page breaks through every long answer.
    words = "tablet taken every morning with water for a long-standing condition; "
    long_answers = {name: (f"{name} " + words * (6 + padding // 6)).strip()[:500] for name in
                    ("allergy_details", "medications", "other_conditions")}
    long_answers["allergy_details"] = long_answers["allergy_details"][:100 + padding * 6]
    row = submit(app, db, **long_answers, questions_for_doctor="Is it safe? " + words * 4)
    entry = finalise(db, app.config, row["id"])
    reader = PdfReader(Path(app.config["ARCHIVE_DIR"]) / entry["path"])
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    from consent.intake.display import label
    for name, answer in long_answers.items():
        asked = " ".join(label(name).split())
        [where] = [n for n, text in enumerate(pages) if asked in text]
        said = answer.split()
        for part in (said[:5], said[-5:]):  # the whole answer sits on the question's page
            assert " ".join(part) in pages[where], (name, part)
    for heading in ("Answers", "Declarations and signature", "Consent taken in person"):
        [where] = [n for n, text in enumerate(pages) if f" {heading} " in f" {text} "]
        after = pages[where].split(f"{heading} ", 1)[1]
        assert len(after.split()) > 8, heading  # never a heading alone at a page's foot


@pytest.mark.slow
def test_the_pdf_prints_the_information_the_patient_read_even_after_an_edit(
        app, db, client, monkeypatch):
    import dataclasses
    assert client.post("/", data=valid_form()).status_code == 302
    ada = next(db["submissions"].rows)["id"]
    needling = information.TREATMENTS["microneedling"]
    about = dict(needling.information, aftercare=[line.replace("SPF 50+", "SPF 30 (edited)")
                                                  for line in needling.information["aftercare"]])
    # The clinic edits its catalogue after Ada answered, and restarts.
    monkeypatch.setitem(information.TREATMENTS, "microneedling",
                        dataclasses.replace(needling, information=about))
    assert client.post("/", data=valid_form(first_name="Grace", signed_name="Grace Lovelace")) \
        .status_code == 302
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    with app.app_context():
        for sid in (ada, grace):
            countersign(app, db, sid)
    ada_text, grace_text = (text_of(archived(app, db, sid)[1]) for sid in (ada, grace))
    assert "SPF 50+" in ada_text and "edited" not in ada_text
    assert "SPF 30 (edited)" in grace_text and "SPF 50+" not in grace_text
    assert "current text" not in ada_text + grace_text
    assert db["information_texts"].count == 2
