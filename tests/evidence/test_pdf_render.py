"""The render's shortcuts change nothing a reader sees on the page."""
from importlib import resources
from io import BytesIO

import pytest
import record_text
import tinycss2
from pypdf import PdfReader
from weasyprint import HTML

from consent.evidence import pdf
from consent.evidence.documents import treatment_id
from consent.intake import submissions
from consent.kernel.storage import connect

from conftest import (archived_bytes, config_for, countersign, enrolled_client, make_app, text_of,
                      treat, valid_form)

WEASYPRINT_UA = (resources.files("weasyprint.css") / "html5_ua.css").read_text(encoding="utf-8")


def preludes(text):
    """Return the selectors of each style rule in a sheet."""
    return [tinycss2.serialize(rule.prelude).strip()
            for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
            if rule.type == "qualified-rule"]


def test_the_records_user_agent_sheet_drops_only_notes_and_footnotes():
    theirs, ours = preludes(WEASYPRINT_UA), preludes(pdf.user_agent_rules(WEASYPRINT_UA))
    dropped = [p for p in theirs if p.startswith(("::footnote", "::note"))]
    assert len(dropped) == 5  # a WeasyPrint that words them otherwise fails here, not silently
    assert "::marker" in theirs and "li::marker" in ours
    assert ours == ["li::marker" if p == "::marker" else p for p in theirs if p not in dropped]


def page_streams(html, document_class):
    """Render a record's HTML with a user-agent sheet; return each page's drawing."""
    data = document_class(string=html, base_url=pdf.ASSETS.as_uri() + "/").write_pdf(
        stylesheets=[pdf.stylesheet()], font_config=pdf.font_config(), pdf_tags=True)
    return [page.get_contents().get_data() for page in PdfReader(BytesIO(data)).pages]


@pytest.fixture(scope="module", params=["en", "pl", "ar"])
def consent(request, tmp_path_factory):
    """Seal a flagged consent answered in a language; return its HTML and its PDF."""
    rendered = []
    render_pdf = pdf.render_pdf
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(pdf, "render_pdf", lambda html, *args, **kwargs: (
            rendered.append(html), render_pdf(html, *args, **kwargs))[1])
        data = record_text.sealed_consent(
            tmp_path_factory.mktemp(request.param), {"PATIENT_LANGUAGES_ENABLED": ("pl", "ar")},
            language=request.param, swim_within_24h="yes")
    html, = rendered
    return request.param, html, data


@pytest.mark.slow
def test_a_record_paints_the_same_as_with_weasyprints_own_sheet(consent):
    language, html, _ = consent
    # Flags (a line break), lists, tables, a signature; in Arabic, right to left.
    assert "<br>" in html and "<li" in html and (language != "ar" or 'dir="rtl"' in html)
    assert page_streams(html, pdf.RecordHTML) == page_streams(html, HTML)


def marked_content(data):
    """Return each piece of page content in reading order: its page and the structure
    elements above it, as (type, number) pairs."""
    reader = PdfReader(BytesIO(data))
    numbers = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    found, elements = [], iter(range(10**6))

    def walk(node, page, above):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, int):
            found.append((page, above))
        elif isinstance(node, list):
            for kid in node:
                walk(kid, page, above)
        else:
            page = numbers[node.raw_get("/Pg").idnum] if "/Pg" in node else page
            if "/MCID" in node:
                found.append((page, above))
            elif "/S" in node:
                walk(node.get("/K", []), page, above + ((str(node["/S"]), next(elements)),))
    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"], None, ())
    return found


def innermost(above, types):
    """Return the nearest element above a piece of content whose type is one of types."""
    return next((element for element in reversed(above) if element[0] in types), None)


@pytest.mark.slow
def test_no_question_parts_from_its_answer_and_no_heading_ends_a_page(consent):
    content = marked_content(consent[2])
    assert len({page for page, _ in content}) > 1  # long enough to break somewhere
    rows = {}
    for page, above in content:
        if row := innermost(above, {"/TR"}):
            rows.setdefault(row, set()).add(page)
    assert len(rows) > 50 and all(len(pages) == 1 for pages in rows.values())
    headings = {"/H1", "/H2", "/H3", "/H4"}
    for (page, above), (next_page, next_above) in zip(content, content[1:]):
        heading = innermost(above, headings)
        if heading and heading != innermost(next_above, headings):
            assert next_page == page, f"{heading[0]} ends page {page + 1}"


@pytest.mark.slow
def test_a_footer_never_breaks_a_documents_id_at_its_hyphens(tmp_path, monkeypatch):
    hyphens = "MW-MW-MW-MW-MW-MW-MW-M"  # wide letters, and seven places a line could break
    monkeypatch.setattr(submissions.secrets, "token_urlsafe", lambda size: hyphens)
    app = make_app(config_for(tmp_path, COOLING_OFF_HOURS={"microneedling": 0}))
    assert enrolled_client(app).post("/", data=valid_form()).status_code == 302
    db = connect(app.config["DATABASE"])
    with app.app_context():
        assert countersign(app, db, hyphens) and treat(app, db, hyphens)
    consent, treatment = (text_of(archived_bytes(app, db, document))
                          for document in (hyphens, treatment_id(hyphens)))
    assert f"Document {hyphens} · questionnaire edition" in consent
    assert f"Document {hyphens} (treatment)" in treatment
    assert f"under consent {hyphens} " in treatment
