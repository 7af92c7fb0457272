"""Our consent's render against a frozen reference: `python -m bench.render`.

The reference is the consent document as it was on 2026-12-02 (../shared/bench), rendered
by plain WeasyPrint with tags on; ours is today's consent for a comparable patient,
rendered as it is sealed (tagged PDF/A-3b with its two attachments). Interleaved in one
run, so that machine noise falls on both alike; medians per page. Each sample starts
with the cycle collector emptied and paused, for both alike: a full collection of this
process's heap lands on whichever render happens to trip it (150 ms, more than the gap
being measured), and only the renders' own work is compared.
"""
import gc
import statistics
import sys
import tempfile
from io import BytesIO
from pathlib import Path

from pypdf import PdfReader
from weasyprint import CSS, HTML

from consent import create_app
from consent.evidence import documents, fhir_export, pdf
from consent.evidence.contexts import consent_context
from consent.instance import initialise
from consent.intake import submissions
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.practice import consents

from . import countersigned, timed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from consent.intake.signature import clean_png  # noqa: E402

from conftest import PATIENT, config_for, signature_data_url  # noqa: E402

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "bench"
REFERENCE_HTML = REFERENCE / "consent-2026-12-02.html"
REFERENCE_CSS = REFERENCE / "consent-2026-12-02.css"


def reference():
    """Return a function rendering the frozen reference, and its page count."""
    html, css = REFERENCE_HTML.read_text(), CSS(string=REFERENCE_CSS.read_text())

    def render():
        return HTML(string=html).write_pdf(stylesheets=[css], pdf_tags=True)
    return render, len(PdfReader(BytesIO(render())).pages)


def ours(language="en"):
    """Return a function rendering today's consent as it is sealed, and its page count."""
    app = create_app(config_for(Path(tempfile.mkdtemp(prefix="consent-render-")),
                                PATIENT_LANGUAGES_ENABLED=("es", "pl", "ar")))
    initialise(app)
    db = connect(app.config["DATABASE"])
    row = submissions.submit(db, app.extensions["consent.ruleset"], PATIENT,
                             clean_png(signature_data_url()), clock.today(),
                             phone=app.config["CLINIC_PHONE"], language=language)
    countersigned(db, row["id"])
    row = submissions.get(db, row["id"])
    consent = consents.get(db, row["id"])
    html = pdf.render_html(consent_context(db, row, None, consent, app.config))
    record = documents.consent_record(row, None, consent, None)
    bundle = fhir_export.embedded(db, app.config, row)

    def render():
        return pdf.render_pdf(html, record, bundle=bundle)
    return render, len(PdfReader(BytesIO(render())).pages)


def quiet(render):
    """Time one render with the cycle collector emptied first and paused during it."""
    gc.collect()
    gc.disable()
    try:
        return timed(render, 1)
    finally:
        gc.enable()


def per_page(renders, pages, samples):
    """Return the median time per page of each render, sampled in turn."""
    times = [[] for _ in renders]
    for _ in range(samples):
        for n, render in enumerate(renders):
            times[n] += quiet(render)
    return [statistics.median(t) / p for t, p in zip(times, pages)]


def run(samples=30):
    """Print ours against the reference, per page, as one line (and the bilingual one)."""
    (theirs, their_pages), (mine, my_pages) = reference(), ours()
    bilingual, bilingual_pages = ours("pl")
    for render in (theirs, mine, bilingual):
        render()  # warm up: fonts, stylesheets
    ref, our, both = per_page((theirs, mine, bilingual),
                              (their_pages, my_pages, bilingual_pages), samples)
    print(f"render: ours {our * 1e3:.1f} ms/page, reference {ref * 1e3:.1f} ms/page, "
          f"ratio {our / ref:.2f}")
    print(f"render: bilingual (pl) {both * 1e3:.1f} ms/page over {bilingual_pages} pages, "
          f"ratio {both / ref:.2f}; ours {my_pages} pages, reference {their_pages}")


if __name__ == "__main__":
    run()
