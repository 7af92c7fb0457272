"""The treatment information a patient reads, from the catalogue, kept as they read it.

The tablet, the home link and the consent PDF show the words this module renders for the
treatment chosen. Each rendered text is kept in the database by its SHA-256, so a consent
sealed later prints exactly what that patient read, even after the clinic edits the
catalogue. Records made before the catalogue kept the template they were shown instead.
"""
import hashlib
import html
import re

from jinja2 import Environment, FileSystemLoader

from ..kernel.languages import CLINIC, isolated, translator
from ..kernel.software import TEMPLATES
from .catalogue import TREATMENTS

NAME = "treatment_information.html"
HTML, TEMPLATE = "html", "template"  # how a kept version is stored
templates = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=True,
                        keep_trailing_newline=True)


def render(treatment_ids, clinic_phone, language=CLINIC):
    """Return the information for these treatments, exactly as the patient reads it."""
    chosen = [TREATMENTS[t] for t in treatment_ids if t in TREATMENTS]
    return templates.get_template(NAME).render(treatments=chosen,
                                               clinic_phone=isolated(clinic_phone, language),
                                               _=translator(language).gettext, language=language)


def digest(text):
    """Return the SHA-256 that names a version of the information."""
    return hashlib.sha256(text.encode()).hexdigest()


def keep(db, now, treatment_ids, clinic_phone, language=CLINIC):
    """Store the text this patient read (once) and return its SHA-256; the caller locks."""
    text = render(treatment_ids, clinic_phone, language)
    sha = digest(text)
    db.execute("insert or ignore into information_texts (sha256, source, stored_at, format) "
               "values (?, ?, ?, ?)", [sha, text, now, HTML])
    return sha


def version(db, sha):
    """Return (source, format) of the version with this SHA-256, or None if never kept."""
    row = next(db["information_texts"].rows_where("sha256 = ?", [sha or ""]), None)
    return row and (row["source"], row["format"])


def sections(html, *titles):
    """Cut the parts headed by these h4 titles out of a rendered information, in order."""
    parts = html.split("<h4>")
    kept = [part for part in parts[1:] if part.split("</h4>", 1)[0].strip() in titles]
    # The last kept part may run on to its treatment's closing tag.
    return "".join("<h4>" + part.split("</section>", 1)[0] for part in kept)


def told(db, sha, title):
    """Return, as plain words, what the kept information said under one title ("" if none)."""
    kept = version(db, sha)
    part = sections(kept[0], title) if kept and kept[1] == HTML else ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", part.split("</h4>", 1)[-1])).split())
