"""Render the consent document: one Jinja template, converted by WeasyPrint at the edge."""
import base64
import ctypes.util
import functools
import json
import threading
from datetime import datetime, timezone
from importlib import resources
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
import tinycss2
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from pypdf import PdfReader
from weasyprint import CSS, HTML, Attachment, URLFetcher
from weasyprint.text.fonts import FontConfiguration

from ..kernel import clock
from ..kernel.software import TEMPLATES, VERSION
from ..kernel.status import by_severity
from . import pdf_ua

ATTACHMENT_NAME = "consent-record.json"
TREATMENT_ATTACHMENT = "treatment-record.json"
FHIR_ATTACHMENT = "fhir-bundle.json"
DESCRIPTIONS = {ATTACHMENT_NAME: "Answers, flags, decision and countersignature",
                TREATMENT_ATTACHMENT: "What was done, and the consent it was done under",
                FHIR_ATTACHMENT: "The same record as a FHIR R4B Bundle"}
ASSETS = TEMPLATES / "pdf"
TAGGED = True  # a structure tree for screen readers; the file stays PDF/A-3b

# The PDF template and the treatment information it shares with the tablet.
templates = Environment(loader=FileSystemLoader(TEMPLATES),
                        autoescape=select_autoescape(default=True, default_for_string=True))


def css_string(text):
    """Quote text as a CSS string, every character that could end it escaped."""
    return Markup('"' + "".join(c if c.isalnum() or c in " ·.-_" else f"\\{ord(c):x} "
                                for c in str(text)) + '"')


templates.filters["css_string"] = css_string
templates.filters["by_severity"] = by_severity
templates.filters["spoken"] = clock.spoken
templates.filters["full_stop"] = clock.full_stop
templates.globals["software"] = f"consent {VERSION}"  # which version made the record


class ConsentFetcher(URLFetcher):
    """Fetch only data: URIs and the packaged PDF assets; nothing from disk or network."""

    def __init__(self):
        super().__init__(timeout=2, allowed_protocols={"data", "file"},
                         allow_redirects=False)

    def fetch(self, url, headers=None):
        """Refuse anything but data: URIs and files inside the packaged assets."""
        scheme = urlsplit(url).scheme.lower()  # schemes are case-insensitive: FILE: is file:
        if scheme == "file":
            path = Path(unquote(urlsplit(url).path)).resolve()
            if not path.is_relative_to(ASSETS):
                raise ValueError("only packaged assets may be loaded")
        elif scheme != "data":
            raise ValueError(f"{scheme or 'relative'} URLs are not loaded")
        return super().fetch(url, headers)


@functools.cache
def font_config():
    """Return this process's FontConfiguration (one per worker keeps memory flat)."""
    return FontConfiguration()


@functools.cache
def stylesheet():
    """Parse the PDF stylesheet once per process."""
    return CSS(filename=str(ASSETS / "consent.css"), url_fetcher=ConsentFetcher(),
               font_config=font_config())


def user_agent_rules(text):
    """Return user-agent CSS less the footnote and note pseudo-elements; markers on li only."""
    # WeasyPrint computes a style for each of these six pseudo-elements of every element
    # (its cascade caches elements' styles, not theirs): 2,000 styles a consent, about a
    # tenth of its render, for footnotes and notes a record never has.
    kept = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        prelude = tinycss2.serialize(getattr(rule, "prelude", None) or []).strip()
        if rule.type == "qualified-rule" and prelude.startswith(("::footnote", "::note")):
            continue
        if rule.type == "qualified-rule" and prelude == "::marker":
            rule.prelude = tinycss2.parse_component_value_list("li::marker")
        kept.append(rule.serialize())
    return "\n".join(kept)


@functools.cache
def user_agent():
    """Parse the records' user-agent sheet once per process (see user_agent_rules)."""
    text = (resources.files("weasyprint.css") / "html5_ua.css").read_text(encoding="utf-8")
    return CSS(string=user_agent_rules(text), font_config=font_config())


class RecordHTML(HTML):
    """A record's HTML, styled by WeasyPrint's user-agent sheet less what records never use."""

    def _ua_stylesheets(self, forms=False):
        # The hook WeasyPrint's own tests use to replace this sheet; forms: records have none.
        return [user_agent()]


def harfbuzz_subset_available():
    """Tell whether HarfBuzz's subset library is present (fast font subsetting)."""
    return ctypes.util.find_library("harfbuzz-subset") is not None


def data_uri(png_bytes):
    """Embed PNG bytes as a data: URI."""
    return "data:image/png;base64," + base64.b64encode(png_bytes).decode()


def render_html(context, template="pdf/consent.html"):
    """Fill a record's template; every value is escaped by Jinja."""
    return templates.get_template(template).render(**context)


# gthread workers render in several threads; the shared font configuration (Pango,
# fontconfig) is not documented as thread-safe, and the work is CPU-bound under the GIL anyway.
RENDER_LOCK = threading.Lock()


def attached_record(pdf_bytes):
    """Return the JSON record attached to a sealed PDF, or None if it has none."""
    try:
        attached = PdfReader(BytesIO(pdf_bytes)).attachments
        found = attached.get(ATTACHMENT_NAME) or attached.get(TREATMENT_ATTACHMENT)
        return json.loads(found[0]) if found else None
    except Exception:  # noqa: BLE001 - a damaged file simply has no readable record
        return None


def render_pdf(html, record, name=ATTACHMENT_NAME, bundle=None):
    """Convert HTML to PDF/A-3b with the record attached under name (and a FHIR bundle)."""
    with RENDER_LOCK:
        return write_pdf(html, record, name, bundle)


def attachment(name, value, fetcher, stamp, indent=1):
    """Declare one associated file: JSON, relationship Data."""
    text = json.dumps(value, indent=indent, ensure_ascii=False,
                      separators=None if indent else (",", ":"))
    return Attachment(string=text.encode(),
                      name=name, description=DESCRIPTIONS[name], relationship="Data",
                      url_fetcher=fetcher, created=stamp, modified=stamp)


def write_pdf(html, record, name=ATTACHMENT_NAME, bundle=None):
    """Convert HTML to PDF/A-3b (the caller holds the render lock)."""
    fetcher = ConsentFetcher()
    stamp = datetime.now(timezone.utc)
    attachments = [attachment(name, record, fetcher, stamp)]
    if bundle is not None:
        # Compact: machines read it, and every byte is compressed while the patient waits.
        attachments.append(attachment(FHIR_ATTACHMENT, bundle, fetcher, stamp, indent=None))
    # No file identifier here: pydyf derives one by serialising and compressing every
    # object a second time (13 ms of a 200 ms render). Every PDF is sealed next, and the
    # seal's trailer carries the /ID that PDF/A asks of the file (pyHanko makes one).
    # No object stream either (uncompressed_pdf; finish() compresses every stream again):
    # pydyf packs all 850 small objects into one, and pyHanko, validating a seal, reads
    # that stream's index from the start for each object: 4 s a B-LT consent.
    return RecordHTML(string=html, base_url=ASSETS.as_uri() + "/", url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet()], font_config=font_config(), pdf_variant="pdf/a-3b",
        attachments=attachments, uncompressed_pdf=True, pdf_tags=TAGGED, pdf_identifier=False,
        finisher=finish)


def finish(document, pdf):
    """Compress every stream that declares no filter of its own, then finish for PDF/UA."""
    for pdf_object in pdf.objects:
        if isinstance(pdf_object, pydyf.Stream) and "Filter" not in pdf_object.extra:
            pdf_object.compress = True
    pdf_ua.finish(document, pdf)
