"""Seal PDFs with the clinic's key (PAdES), with trusted time when a TSA is configured."""
import logging
from io import BytesIO

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigFieldSpec, SigSeedSubFilter, append_signature_field
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.signers.pdf_signer import TimestampDSSContentSettings

from . import keys as seal_keys
from .timestamps import run_coroutine, timestamper, validation_context

FIELD = "ClinicSeal"
FIELD_FOR_READERS = "The clinic's electronic seal over this record"
# Reserving the CMS size up front skips pyHanko's dummy signing pass (about 5x faster);
# a timestamp token and its certificates need the larger reservation.
BYTES_RESERVED, BYTES_RESERVED_STAMPED = 8192, 16384
log = logging.getLogger(__name__)


class PdfA3Signer(signers.PdfSigner):
    """A PAdES signer that keeps the document at PDF 1.7, as PDF/A-3 requires."""

    def register_extensions(self, pdf_out, *, md_algorithm):
        """Declare only the ESIC (PAdES) extension level of PDF 1.7."""
        # pyHanko marks ECDSA P-256 seals with ISO 32002, which sets the catalog's
        # /Version to 2.0; PDF/A-3b is a PDF 1.7 profile, and ETSI's extension suffices.
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(ESIC_EXTENSION_1)


def seal(pdf_bytes, keys, tsa=None):
    """Return (sealed PDF, whether it carries a trusted timestamp).

    With a TSA the seal is PAdES B-LT (timestamp and validation data); when the TSA cannot
    be reached the clinic is not held up: the seal is B-B and `archive timestamp` adds
    the time later.
    """
    if tsa and tsa.url:
        try:
            return sign(pdf_bytes, keys, tsa), True
        except Exception as error:  # network, HTTP or TSA errors: none may stop a consent
            log.warning("TSA unreachable, sealed without a timestamp (%s)",
                        type(error).__name__)
    return sign(pdf_bytes, keys, None), False


def sign(pdf_bytes, keys, tsa):
    """Seal with a certifying PAdES signature that permits no change but LTV data."""
    stamped = dict(timestamper=timestamper(tsa)) if tsa else {}
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=SigSeedSubFilter.PADES, certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES, reason="Consent record sealed by the clinic",
        embed_validation_info=bool(tsa),
        validation_context=validation_context(keys, tsa, fetching=True) if tsa else None)
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    tagged_field(writer)
    pdf_signer = PdfA3Signer(meta, signer=seal_keys.signer(keys), **stamped)
    reserved = BYTES_RESERVED_STAMPED if tsa else BYTES_RESERVED
    out = run_coroutine(lambda: pdf_signer.async_sign_pdf(writer, bytes_reserved=reserved))
    return out.getvalue()


def tagged_field(writer):
    """Add the seal's field on the last page, named for screen readers, in a Form element."""
    append_signature_field(writer, SigFieldSpec(FIELD, on_page=-1,
                                                readable_field_name=FIELD_FOR_READERS))
    root = writer.root
    if "/StructTreeRoot" not in root:
        return
    widget = next(f for f in root["/AcroForm"]["/Fields"] if f.get_object()["/T"] == FIELD)
    page = writer.find_page_for_modification(-1)[0]
    tree = root["/StructTreeRoot"]
    document = tree["/K"] if isinstance(tree["/K"], generic.DictionaryObject) else tree["/K"][0]
    form = writer.add_object(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/StructElem"), pdf_name("/S"): pdf_name("/Form"),
        pdf_name("/P"): indirect(document.container_ref), pdf_name("/Pg"): page,
        pdf_name("/Alt"): generic.TextStringObject(FIELD_FOR_READERS),
        pdf_name("/K"): generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/OBJR"), pdf_name("/Obj"): widget,
            pdf_name("/Pg"): page})}))
    document["/K"].append(form)  # last in the reading order, as the seal ends the record
    writer.update_container(document)
    numbers = tree["/ParentTree"]["/Nums"]
    key = max((numbers[i] for i in range(0, len(numbers), 2)), default=-1) + 1
    numbers.extend([generic.NumberObject(key), form])
    widget.get_object()[pdf_name("/StructParent")] = generic.NumberObject(key)
    tree[pdf_name("/ParentTreeNextKey")] = generic.NumberObject(key + 1)
    writer.update_container(tree["/ParentTree"])
    writer.update_container(tree)


def indirect(reference):
    """Return an indirect object for a reference, as a dictionary entry must hold it."""
    return generic.IndirectObject(reference.idnum, reference.generation, reference.pdf)


def add_document_timestamp(pdf_bytes, keys, tsa):
    """Append validation data and a document timestamp (B-LTA); raise if the TSA fails."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    stamper = signers.PdfTimeStamper(timestamper(tsa))
    out = run_coroutine(lambda: stamper.async_timestamp_pdf(
        writer, "sha256", validation_context=validation_context(keys, tsa, fetching=True),
        dss_settings=TimestampDSSContentSettings(update_before_ts=True, include_vri=False)))
    return out.getvalue()
