"""Every kind of sealed record is an accessible document: pdfua and outloud find no error."""
import re
import subprocess

import pytest
from pypdf import PdfReader

from consent.evidence import pdf_ua
from consent.kernel.storage import connect

from conftest import (TOOLS, accessibility_errors, archived_bytes, assert_pdf_a_3b, config_for,
                      countersign, enrolled_client, make_app, treat, valid_form)

pytestmark = pytest.mark.slow


def test_every_kind_of_sealed_record_passes_pdfua_and_outloud(sealed):
    files = sorted(str(p) for p in (sealed / "archive").rglob("*.pdf"))
    assert len(files) == 4  # two consents, an eligibility record (declined), a treatment
    assert accessibility_errors(files) == ("", "")


def test_records_in_the_patients_language_pass_too(tmp_path):
    app = make_app(config_for(tmp_path, PATIENT_LANGUAGES_ENABLED=("ar",),
                              COOLING_OFF_HOURS={"microneedling": 0}))
    db = connect(app.config["DATABASE"])
    assert enrolled_client(app).post("/", data=valid_form(language="ar")).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    countersign(app, db, sid)
    treat(app, db, sid)
    files = []
    for document, attached in ((sid, None), (sid + ".treatment", ("treatment-record.json",))):
        data = archived_bytes(app, db, document)
        assert_pdf_a_3b(data, *([attached] if attached else []))
        files.append(tmp_path / f"{len(files)}.pdf")
        files[-1].write_bytes(data)
    assert accessibility_errors(files) == ("", "")


def test_without_the_finishing_pass_the_validators_object(tmp_path, monkeypatch):
    monkeypatch.setattr(pdf_ua, "finish", lambda document, pdf: None)
    app = make_app(config_for(tmp_path))
    db = connect(app.config["DATABASE"])
    enrolled_client(app).post("/", data=valid_form(swim_within_24h="yes"))
    sid = next(db["submissions"].rows)["id"]
    countersign(app, db, sid)
    bare = tmp_path / "bare.pdf"
    bare.write_bytes(archived_bytes(app, db, sid))
    outloud = accessibility_errors([bare])[1]
    assert "DOC-012" in outloud, outloud  # no PDF/UA claim


def test_readers_read_in_the_order_the_page_paints(sealed):
    """outloud's warnings about order and structure: none (a list's bullets, its bodies)."""
    files = sorted(str(p) for p in (sealed / "archive").rglob("*.pdf"))
    checked = subprocess.run([TOOLS / "outloud", "--fail-on", "warning", "--only",
                              "ORD-001,LST-002,TAG-020,TBL-001,TBL-002", *files],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout


def test_page_footers_are_pagination_artifacts(sealed):
    """The document id and "Page 1 of 6" on every page are not read as content (UA 7.8)."""
    files = sorted(str(p) for p in (sealed / "archive").rglob("*.pdf"))
    checked = subprocess.run([TOOLS / "outloud", "--fail-on", "warning", "--only", "PAG-001",
                              *files], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout
    for path in files:
        content = b"".join(page.get_contents().get_data() for page in PdfReader(path).pages)
        assert b"/Artifact<</Type/Pagination/Subtype/Footer>>BDC" in re.sub(rb"\s", b"", content)


def test_qpdf_finds_no_fault_and_every_font_is_embedded(sealed):
    """What PDF/A-3b asks beyond conftest's assert_pdf_a_3b, checked with qpdf (pikepdf)."""
    import pikepdf
    for path in sorted((sealed / "archive").rglob("*.pdf")):
        with pikepdf.open(path) as document:
            assert document.check_pdf_syntax() == [], path
            for page in document.pages:
                for font in page.Resources.get("/Font", {}).values():
                    shown = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                    descriptor = shown.get("/FontDescriptor")
                    assert descriptor is not None and any(
                        key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_every_object_stands_alone_and_the_render_stays_compressed(sealed):
    """No object stream: pyHanko, validating a seal, read its index again for each object."""
    import pikepdf
    for path in sorted((sealed / "archive").rglob("*.pdf")):
        packed = re.search(rb"/Type\s*/ObjStm", path.read_bytes()) is not None
        assert not packed, path
        with pikepdf.open(path) as document:
            streams = [page.Contents for page in document.pages]
            streams += [font.DescendantFonts[0].FontDescriptor.FontFile2
                        for page in document.pages for font in page.Resources.Font.values()]
            streams += [spec.EF.F for spec in document.Root.AF]
            streams.append(document.Root.Metadata)
            assert all(stream.Filter == "/FlateDecode" for stream in streams), path
