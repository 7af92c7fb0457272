"""The render's shortcuts change nothing a reader sees on the page."""
from importlib import resources
from io import BytesIO

import pytest
import tinycss2
from pypdf import PdfReader
from weasyprint import HTML

from consent.evidence import pdf
from consent.kernel.storage import connect

from conftest import config_for, countersign, enrolled_client, make_app, valid_form

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


@pytest.mark.slow
def test_a_record_paints_the_same_as_with_weasyprints_own_sheet(tmp_path, monkeypatch):
    rendered = []
    render_pdf = pdf.render_pdf
    monkeypatch.setattr(pdf, "render_pdf", lambda html, *args, **kwargs: (
        rendered.append(html), render_pdf(html, *args, **kwargs))[1])
    app = make_app(config_for(tmp_path, PATIENT_LANGUAGES_ENABLED=("ar",)))
    # Arabic (right to left, lang and dir), flags (a line break), lists, tables, a signature.
    enrolled_client(app).post("/", data=valid_form(language="ar", swim_within_24h="yes"))
    db = connect(app.config["DATABASE"])
    with app.app_context():
        countersign(app, db, next(db["submissions"].rows)["id"])
    html, = rendered
    assert "<br>" in html and 'dir="rtl"' in html and "<li" in html
    assert page_streams(html, pdf.RecordHTML) == page_streams(html, HTML)
