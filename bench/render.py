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
from consent.evidence import archive, documents, fhir_export, pdf
from consent.evidence.contexts import consent_context, treatment_context
from consent.instance import initialise
from consent.intake import submissions
from consent.intake.signature import clean_png
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.practice import consents, treatments

from . import countersigned, timed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import PATIENT, config_for, signature_data_url, treat  # noqa: E402

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
    """Return functions rendering today's consent and treatment record as they are sealed.

    Each comes with its page count: {"consent": (render, pages), "treatment": (...)}.
    """
    app = create_app(config_for(Path(tempfile.mkdtemp(prefix="consent-render-")),
                                PATIENT_LANGUAGES_ENABLED=("es", "pl", "ar")))
    initialise(app)
    db = connect(app.config["DATABASE"])
    row = submissions.submit(db, app.extensions["consent.ruleset"], PATIENT,
                             clean_png(signature_data_url()), clock.today(),
                             phone=app.config["CLINIC_PHONE"], language=language)
    countersigned(db, row["id"])
    treat(app, db, row["id"], username="bench.nurse")  # seals the consent it rests on
    row = submissions.get(db, row["id"])
    consent = consents.get(db, row["id"])
    html = pdf.render_html(consent_context(db, row, None, consent, app.config))
    record = documents.consent_record(row, None, consent, None)
    bundle = fhir_export.embedded(db, app.config, row)
    treatment, consent_entry = treatments.get(db, row["id"]), archive.entry(db, row["id"])
    treatment_html = pdf.render_html(
        treatment_context(db, row, treatment, consent_entry, app.config), "pdf/treatment.html")
    treatment_record = documents.treatment_record(row["id"], treatment,
                                                  consent_entry["sha256"], None)
    renders = {"consent": lambda: pdf.render_pdf(html, record, bundle=bundle),
               "treatment": lambda: pdf.render_pdf(treatment_html, treatment_record,
                                                   pdf.TREATMENT_ATTACHMENT)}
    return {kind: (render, len(PdfReader(BytesIO(render())).pages))
            for kind, render in renders.items()}


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
    """Print ours against the reference, per page, as one line; then the other records."""
    renders = {"reference": reference()}
    for language in ("en", "pl"):
        for kind, measured in ours(language).items():
            renders[kind, language] = measured
    for render, _ in renders.values():
        render()  # warm up: fonts, stylesheets
    times = dict(zip(renders, per_page([r for r, _ in renders.values()],
                                       [p for _, p in renders.values()], samples)))
    ref, our = times["reference"], times["consent", "en"]
    print(f"render: ours {our * 1e3:.1f} ms/page, reference {ref * 1e3:.1f} ms/page, "
          f"ratio {our / ref:.2f}")
    for (kind, language), per in list(times.items())[2:]:
        pages, english = renders[kind, language][1], renders[kind, "en"][1]
        whole = per * pages / (times[kind, "en"] * english)
        print(f"render: {kind} ({language}) {per * 1e3:.1f} ms/page over {pages} pages, "
              f"ratio {per / ref:.2f}" + (f"; {whole:.2f}x the English {kind} "
                                          f"({english} pages)" if language != "en" else ""))


if __name__ == "__main__":
    run()
