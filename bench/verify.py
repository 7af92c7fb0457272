"""`archive verify` at archive scale: a full check and an incremental one, in one run."""
import json
import os
import sys
import tempfile
import time
from io import BytesIO
from multiprocessing import get_context
from pathlib import Path

from pypdf import PdfWriter
from weasyprint import HTML

from consent import create_app
from consent.evidence import finalise as finalising, integrity, pdf
from consent.evidence.contexts import consent_context
from consent.intake import submissions
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.practice.consents import get as countersignature

from . import countersigned
from .load import patient_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from consent.instance import initialise  # noqa: E402
from consent.intake.signature import clean_png  # noqa: E402

from conftest import PATIENT, config_for, signature_data_url  # noqa: E402


def quick_render(page):
    """Return a render that reuses one rendered page and attaches each record (pypdf).

    WeasyPrint would take ten minutes for 10,000 records; verification reads the seal
    and the attached record, which this keeps real. Sealing and archiving are the
    service's own.
    """
    def render(html, record, name=pdf.ATTACHMENT_NAME, bundle=None):
        writer = PdfWriter(clone_from=BytesIO(page))
        writer.add_attachment(name, json.dumps(record).encode())
        if bundle is not None:
            writer.add_attachment(pdf.FHIR_ATTACHMENT, json.dumps(bundle).encode())
        out = BytesIO()
        writer.write(out)
        return out.getvalue()
    return render


def fill(config, page, numbers):
    """Submit and finalise cleared consents for a range of patients (one worker)."""
    app = create_app(config)
    finalising.pdf.render_pdf = quick_render(page)
    db, png = connect(config["DATABASE"]), clean_png(signature_data_url())
    with app.app_context():
        for number in numbers:
            name = patient_name(number)
            answers = {**PATIENT, "last_name": name, "signed_name": f"Ada {name}"}
            done = submissions.submit(db, app.extensions["consent.ruleset"], answers, png,
                                      clock.today())
            finalising.finalise(db, config, countersigned(db, done["id"]))
    db.conn.close()


def build(folder, consents, workers=2):
    """Make an instance with this many sealed, archived consents; return its config."""
    config = config_for(Path(folder))
    app = create_app(config)
    initialise(app)
    db = connect(config["DATABASE"])
    first = submissions.submit(db, app.extensions["consent.ruleset"], PATIENT,
                               clean_png(signature_data_url()), clock.today())
    with app.app_context():
        finalising.finalise(db, app.config, countersigned(db, first["id"]))  # one real render
    html = pdf.render_html(consent_context(db, submissions.get(db, first["id"]), None,
                                           countersignature(db, first["id"]), app.config))
    page = HTML(string=html, base_url=pdf.ASSETS.as_uri() + "/").write_pdf(
        stylesheets=[pdf.stylesheet()], font_config=pdf.font_config())
    db.conn.close()
    shares = [range(1 + n, consents, workers) for n in range(workers)]
    context = get_context("fork")
    jobs = [context.Process(target=fill, args=(app.config, page, share)) for share in shares]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    if any(job.exitcode for job in jobs):  # a figure from a half-built archive would lie
        raise SystemExit("verify: building the archive failed; see the traceback above")
    return app


def run(consents=int(os.environ.get("CONSENT_VERIFY_CONSENTS", "10000"))):
    """Print full and incremental verification times on a generated archive."""
    folder = tempfile.mkdtemp(prefix="consent-verify-")
    start = time.perf_counter()
    app = build(folder, consents)
    db = connect(app.config["DATABASE"])
    print(f"verify: built {db['archive'].count} sealed consents in "
          f"{time.perf_counter() - start:.0f} s")
    timings = {}
    for name, full in (("full (every seal, all cores)", True), ("incremental", False)):
        start = time.perf_counter()
        report = integrity.archive_report(db, app.config, full=full)
        timings[name] = time.perf_counter() - start
        print(f"verify: {name}: {timings[name]:.2f} s, {report.validated} seals validated, "
              f"{len(report.problems)} problems")
    ratio = timings["incremental"] / timings["full (every seal, all cores)"]
    print(f"verify: incremental / full = {ratio:.3f} (target <= 0.05 = 1/20)")


if __name__ == "__main__":
    run()
