"""The words of a sealed record as a reader meets them, to compare renders across changes."""
import re
from io import BytesIO

from pypdf import PdfReader

from consent.kernel.storage import connect

import conftest

FOOTERS = (r"Document [A-Za-z0-9_-]{22} · questionnaire edition \S+ (· )?treatment information "
           r"\S+ · rule set \S+", r"consent \d+\.\d+\.\d+ · Page \d+ of \d+")


def words(data):
    """Return a PDF's words as a reader meets them: no footers (they fall where the pages
    break), no bullets, and a word that a line broke at its hyphen joined again."""
    text = " ".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    text = " ".join(text.replace("•", " ").split())
    for footer in FOOTERS:
        text = re.sub(footer, " ", text)
    return " ".join(re.sub(r"(\w)- (\w)", r"\1-\2", text).split())


def sealed_consent(folder, config=(), **answers):
    """Answer at the tablet in a new instance, countersign; return the sealed consent PDF."""
    app = conftest.make_app(conftest.config_for(folder, **dict(config)))
    conftest.enrolled_client(app).post("/", data=conftest.valid_form(**answers))
    db = connect(app.config["DATABASE"])
    sid = next(db["submissions"].rows)["id"]
    with app.app_context():
        conftest.countersign(app, db, sid)
    return conftest.archived_bytes(app, db, sid)


def consent_text(folder):
    """Seal the fixed patient's consent in a new instance; return its words."""
    return words(sealed_consent(folder))
