"""PDF rendering and end-to-end finalisation, measured in one run."""
import gc
import statistics
import sys
import tempfile
from pathlib import Path

from weasyprint import HTML

from consent import create_app
from consent.evidence import archive, pdf
from consent.evidence.contexts import consent_context
from consent.evidence.finalise import finalise
from consent.evidence.seal import keys, seal_check, timestamps
from consent.instance import initialise
from consent.intake import submissions
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.practice import consents

from . import countersigned, summary, timed
from .load import patient_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from consent.intake.signature import clean_png  # noqa: E402

from conftest import PATIENT, config_for, signature_data_url  # noqa: E402
from local_tsa import LocalTsa  # noqa: E402


def rss_mb():
    """Return this process's resident memory in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def instance(folder, **extra):
    """Make an instance; return (app, db, a function that stores a new cleared submission)."""
    app = create_app(config_for(folder, **extra))
    initialise(app)
    db = connect(app.config["DATABASE"])
    ruleset, png = app.extensions["consent.ruleset"], clean_png(signature_data_url())
    counter = iter(range(10**6))

    def new_submission():
        name = patient_name(next(counter))
        answers = {**PATIENT, "last_name": name, "signed_name": f"Ada {name}"}
        return submissions.submit(db, ruleset, answers, png, clock.today())["id"]
    return app, db, new_submission


def seal_checks(app, db):
    """Time the seal check `archive verify` makes once of each sealed B-LT consent."""
    config = app.config
    seal_keys, tsa = keys.from_config(config), timestamps.from_config(config)
    files = [archive.newest_file(db, config["ARCHIVE_DIR"], row).read_bytes()
             for row in db["archive"].rows]
    return [seconds for data in files
            for seconds in timed(lambda: seal_check.check(data, seal_keys, tsa), 1)]


def run(finalisations=300, samples=40):
    """Print render and finalisation figures, the TSA's added time, and memory growth."""
    folder = Path(tempfile.mkdtemp(prefix="consent-bench-"))
    app, db, new_submission = instance(folder)
    gc.freeze()  # as each gunicorn worker does once the app is loaded (consent/serving.py)
    tsa = LocalTsa(folder / "tsa")
    stamped_app, stamped_db, new_stamped = instance(folder / "stamped", TSA_URL=tsa.url,
                                                    TSA_ROOTS=str(tsa.roots))

    first = submissions.get(db, countersigned(db, new_submission()))
    html = pdf.render_html(consent_context(db, first, None, consents.get(db, first["id"]),
                                           app.config))
    def bare():
        """The same tagged document with WeasyPrint's defaults: no PDF/A, no attachment.

        Tags are part of the document issue 13 asks for (a structure tree for screen
        readers), not overhead of ours, so the bare render makes them too.
        """
        return HTML(string=html, base_url=pdf.ASSETS.as_uri() + "/").write_pdf(
            stylesheets=[pdf.stylesheet()], font_config=pdf.font_config(), pdf_tags=True)
    ours = lambda: pdf.render_pdf(html, {"answers": first["answers"]})  # noqa: E731
    ids = iter([new_submission() for _ in range(finalisations + samples * 2)])
    # What a countersign request does past its form: the row, then render, seal, archive.
    full = lambda: finalise(db, app.config, countersigned(db, next(ids)))  # noqa: E731
    stamped_ids = iter([new_stamped() for _ in range(samples + 1)])
    stamped = lambda: finalise(stamped_db, stamped_app.config,  # noqa: E731
                               countersigned(stamped_db, next(stamped_ids)))
    for fn in (bare, ours, full, stamped):
        fn()  # warm up: fonts, stylesheet, key, the TSA's certificates
    bare_t, render_t, full_t, stamped_t = [], [], [], []
    for _ in range(samples):  # interleaved so machine noise hits all four alike
        bare_t += timed(bare, 1)
        render_t += timed(ours, 1)
        full_t += timed(full, 1)
        stamped_t += timed(stamped, 1)
    checks = seal_checks(stamped_app, stamped_db)
    tsa.stop()
    ratio = statistics.median(full_t) / statistics.median(bare_t)
    print(f"pdf: bare WeasyPrint render: {summary(bare_t)}")
    print(f"pdf: warm render (PDF/A-3b + attachment): {summary(render_t)}")
    print(f"pdf: countersign (row + render + seal + archive + row): {summary(full_t)}")
    print(f"pdf: countersign / bare render = {ratio:.2f} (target <= 1.10)")
    added = statistics.median(stamped_t) - statistics.median(full_t)
    print(f"pdf: finalisation with a local TSA (PAdES B-LT): {summary(stamped_t)}; "
          f"the timestamp and validation data add {added * 1e3:.1f} ms")
    print(f"pdf: seal check of each B-LT consent (a first `archive verify`): {summary(checks)}")
    before = rss_mb()
    for _ in range(finalisations - samples):
        full()
    print(f"pdf: worker memory {before:.1f} MB -> {rss_mb():.1f} MB after "
          f"{finalisations} finalisations (target: flat within 10 MB)")
    print(f"pdf: HarfBuzz subset library in use: {pdf.harfbuzz_subset_available()}")


if __name__ == "__main__":
    run()
