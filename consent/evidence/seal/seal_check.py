"""Check a sealed PDF: its seal, its timestamps, its PAdES level and when it needs care."""
import logging
from dataclasses import dataclass, field
from io import BytesIO

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation.pdf_embedded import (async_validate_pdf_signature,
                                                  async_validate_pdf_timestamp)
from pyhanko.sign.validation.status import SignatureCoverageLevel

from .timestamps import run_coroutine, validation_context

LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")
# A timestamp that does not validate is reported as a problem here; pyHanko's own log of
# the failed path search (with a traceback) would only repeat it.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.CRITICAL)


@dataclass
class Check:
    """What a check found: problems (empty when sound), level and renewal date."""

    problems: list = field(default_factory=list)
    level: str = "B-B"
    expires: str | None = None  # when the newest trusted time's certificate runs out


def check(pdf_bytes, keys, tsa=None):
    """Validate the one seal and every timestamp of a PDF, offline."""
    try:
        reader = PdfFileReader(BytesIO(pdf_bytes))
        seals, stamps = reader.embedded_regular_signatures, reader.embedded_timestamp_signatures
    except Exception as error:  # pyHanko raises many types for damaged files
        return Check([f"unreadable PDF ({type(error).__name__})"])
    if len(seals) != 1:
        return Check([f"expected one seal, found {len(seals)}"])
    context = validation_context(keys, tsa)
    try:
        status = run_coroutine(lambda: async_validate_pdf_signature(seals[0], context))
        stamp_statuses = [run_coroutine(lambda s=s: async_validate_pdf_timestamp(s, context))
                          for s in stamps]
    except Exception as error:
        return Check([f"seal cannot be validated ({type(error).__name__})"])
    found = Check(seal_problems(status) + stamp_problems(status, stamp_statuses))
    if not only_evidence_added(reader, seals[0].signed_revision, stamps):
        found.problems.append("bytes were added after sealing")
    found.level = level(reader, status, stamps)
    newest = stamp_statuses[-1] if stamp_statuses else status.timestamp_validity
    found.expires = (newest or status).signing_cert.not_valid_after.date().isoformat()
    return found


def seal_problems(status):
    """List what is wrong with the seal itself."""
    found = []
    if not (status.intact and status.valid and status.trusted):
        found.append("seal is not valid (intact=%s, valid=%s, trusted=%s)" % (
            status.intact, status.valid, status.trusted))
    if not status.docmdp_ok or not later_additions_allowed(status):
        found.append("bytes were added after sealing")
    return found


def later_additions_allowed(info):
    """Tell whether a signature covers the file, or only validation data came after it."""
    if info.coverage == SignatureCoverageLevel.ENTIRE_FILE:
        return True
    return (info.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and info.modification_level is not None
            and info.modification_level <= ModificationLevel.LTA_UPDATES)


def only_evidence_added(reader, sealed, stamps):
    """Tell whether every revision after the seal adds a timestamp or validation data only.

    pyHanko's diff policy tolerates some revisions that change no page (the document
    information dictionary, for one); the archive tolerates nothing but evidence.
    """
    stamped = {stamp.signed_revision for stamp in stamps}
    xrefs = reader.xrefs
    for revision in range(sealed + 1, reader.total_revisions):
        if revision in stamped:
            continue
        catalog = reader.get_historical_root(revision)
        if "/DSS" not in catalog:
            return False
        # pyHanko also refreshes the XMP metadata stream, as PDF/A asks of every update.
        allowed = {reader.trailer_view.raw_get("/Root").reference,
                   catalog.raw_get("/Metadata").reference} | dss_refs(catalog)
        rewritten = {ref for ref in xrefs.explicit_refs_in_revision(revision)
                     if xrefs.get_introducing_revision(ref) < revision}
        if rewritten - allowed:
            return False
    return True


def dss_refs(catalog):
    """Return the references of the DSS dictionary and its arrays (updated in place)."""
    dss = catalog.raw_get("/DSS")
    found = {dss.reference} if hasattr(dss, "reference") else set()
    for key in ("/Certs", "/CRLs", "/OCSPs", "/VRI"):
        value = catalog["/DSS"].raw_get(key) if key in catalog["/DSS"] else None
        if hasattr(value, "reference"):
            found.add(value.reference)
    return found


def stamp_problems(status, stamp_statuses):
    """List timestamps that do not hold (a broken or untrusted one proves no time)."""
    found = []
    stamp = status.timestamp_validity
    if stamp is not None and not (stamp.intact and stamp.valid and stamp.trusted):
        found.append("the seal's timestamp does not hold (is TSA_ROOTS set?)")
    for number, doc in enumerate(stamp_statuses, start=1):
        if not (doc.intact and doc.valid and doc.trusted) or not later_additions_allowed(doc):
            found.append(f"document timestamp {number} does not hold")
    return found


def level(reader, status, stamps):
    """Name the PAdES baseline level the file reaches."""
    if status.timestamp_validity is None and not stamps:
        return "B-B"
    if "/DSS" not in reader.root:
        return "B-T"
    # B-LTA: a document timestamp over a revision that already held validation data.
    if any("/DSS" in reader.get_historical_root(s.signed_revision) for s in stamps):
        return "B-LTA"
    return "B-LT"
