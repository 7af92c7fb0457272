"""What the patient's language costs: the bilingual consent's render, the questionnaire GET."""
import statistics
import sys
import tempfile
from pathlib import Path

from consent import create_app
from consent.evidence import pdf
from consent.evidence.contexts import consent_context
from consent.instance import initialise
from consent.intake import submissions
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.practice import consents

from . import countersigned, summary, timed

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from consent.intake.signature import clean_png  # noqa: E402

from conftest import PATIENT, config_for, enrolled_client, signature_data_url  # noqa: E402

LANGUAGES = ("es", "pl", "ar")


def consent_html(app, db, language):
    """Store, countersign and lay out one consent read in a language; return its HTML."""
    row = submissions.submit(db, app.extensions["consent.ruleset"], PATIENT,
                             clean_png(signature_data_url()), clock.today(),
                             phone=app.config["CLINIC_PHONE"], language=language)
    countersigned(db, row["id"])
    row = submissions.get(db, row["id"])
    return pdf.render_html(consent_context(db, row, None, consents.get(db, row["id"]),
                                           app.config)), row["answers"]


def run(samples=20, gets=200):
    """Print render times per language beside English's, and the questionnaire GET's."""
    folder = Path(tempfile.mkdtemp(prefix="consent-languages-"))
    app = create_app(config_for(folder, PATIENT_LANGUAGES_ENABLED=LANGUAGES,
                                WTF_CSRF_ENABLED=False))
    initialise(app)
    db = connect(app.config["DATABASE"])
    documents = {code: consent_html(app, db, code) for code in ("en",) + LANGUAGES}
    renders = {code: (lambda h=html, a=answers: pdf.render_pdf(h, {"answers": a}))
               for code, (html, answers) in documents.items()}
    client = enrolled_client(app)
    pages = {code: (lambda c=code: client.post("/", data={"choose_language": c}))
             for code in documents}
    for fn in (*renders.values(), *pages.values()):
        fn()  # warm up: fonts, stylesheet, templates
    render_t = {code: [] for code in documents}
    page_t = {code: [] for code in documents}
    for _ in range(samples):  # interleaved so machine noise hits every language alike
        for code in documents:
            render_t[code] += timed(renders[code], 1)
    for _ in range(gets):
        for code in documents:
            page_t[code] += timed(pages[code], 1)
    english, english_page = (statistics.median(render_t["en"]),
                             statistics.median(page_t["en"]))
    print(f"languages: English-only consent render: {summary(render_t['en'])}")
    for code in LANGUAGES:
        ratio = statistics.median(render_t[code]) / english
        print(f"languages: bilingual consent ({code}) render: {summary(render_t[code])}; "
              f"{ratio:.2f}x English (target <= 1.6)")
    print(f"languages: questionnaire page in English: {summary(page_t['en'])}")
    for code in LANGUAGES:
        ratio = statistics.median(page_t[code]) / english_page
        print(f"languages: questionnaire page in {code}: {summary(page_t[code])}; "
              f"{ratio:.2f}x English (target <= 1.10)")
    db.conn.close()


if __name__ == "__main__":
    run()
