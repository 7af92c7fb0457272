"""Seal PDFs with the clinic's key (PAdES) and check seals."""
import asyncio
import base64
import datetime
import functools
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.fields import MDPPerm, SigSeedSubFilter
from pyhanko.sign.signers.constants import ESIC_EXTENSION_1
from pyhanko.sign.validation.pdf_embedded import async_validate_pdf_signature
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

FIELD = "ClinicSeal"
# Reserving the CMS size up front skips pyHanko's dummy signing pass (about 5x faster).
BYTES_RESERVED = 8192


def create_key(seal_dir, clinic_name):
    """Write a P-256 key and a ten-year self-signed seal certificate unless present."""
    seal_dir = Path(seal_dir)
    key_path, cert_path = seal_dir / "key.pem", seal_dir / "cert.pem"
    if key_path.exists() and cert_path.exists():
        return False
    seal_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{clinic_name} consent seal"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, clinic_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=3650))
            # An end-entity certificate: it seals documents and can issue nothing.
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False,
                                         False), critical=True)
            .sign(key, hashes.SHA256()))
    key_path.touch(mode=0o600)
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return True


@functools.lru_cache(maxsize=4)
def signer(seal_dir):
    """Parse the clinic's key and certificate once per process."""
    return signers.SimpleSigner.load(str(Path(seal_dir) / "key.pem"),
                                     str(Path(seal_dir) / "cert.pem"))


@functools.lru_cache(maxsize=4)
def trust(seal_dir):
    """Return a validation context that trusts the clinic's seal certificate."""
    return ValidationContext(trust_roots=[load_cert_from_pemder(str(Path(seal_dir) / "cert.pem"))])


def run_coroutine(make):
    """Run a coroutine to completion, even when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    # pyHanko's sync wrappers call asyncio.run(), which fails inside a running loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


class PdfA3Signer(signers.PdfSigner):
    """A PAdES signer that keeps the document at PDF 1.7, as PDF/A-3 requires."""

    def register_extensions(self, pdf_out, *, md_algorithm):
        """Declare only the ESIC (PAdES) extension level of PDF 1.7."""
        # pyHanko marks ECDSA P-256 seals with ISO 32002, which sets the catalog's
        # /Version to 2.0; PDF/A-3b is a PDF 1.7 profile, and ETSI's extension suffices.
        pdf_out.ensure_output_version(version=(1, 7))
        pdf_out.register_extension(ESIC_EXTENSION_1)


def seal(pdf_bytes, seal_dir):
    """Return the PDF with a certifying PAdES seal that permits no later change."""
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD, subfilter=SigSeedSubFilter.PADES, certify=True,
        docmdp_permissions=MDPPerm.NO_CHANGES, reason="Consent record sealed by the clinic")
    writer = IncrementalPdfFileWriter(BytesIO(pdf_bytes))
    pdf_signer = PdfA3Signer(meta, signer=signer(str(seal_dir)))
    out = run_coroutine(lambda: pdf_signer.async_sign_pdf(writer, bytes_reserved=BYTES_RESERVED))
    return out.getvalue()


def problems(pdf_bytes, seal_dir):
    """List what is wrong with a sealed PDF's seal; empty when it holds."""
    try:
        signatures = PdfFileReader(BytesIO(pdf_bytes)).embedded_signatures
    except Exception as error:  # pyHanko raises many types for damaged files
        return [f"unreadable PDF ({type(error).__name__})"]
    if len(signatures) != 1:
        return [f"expected one seal, found {len(signatures)}"]
    try:
        status = run_coroutine(lambda: async_validate_pdf_signature(
            signatures[0], trust(str(seal_dir))))
    except Exception as error:
        return [f"seal cannot be validated ({type(error).__name__})"]
    found = []
    if not status.bottom_line:
        found.append("seal is not valid (intact=%s, trusted=%s, modification=%s)" % (
            status.intact, status.trusted, status.modification_level))
    if status.coverage != SignatureCoverageLevel.ENTIRE_FILE:
        found.append("bytes were added after sealing")
    return found


def private_key(seal_dir):
    """Return the seal key, parsed once per version of its file (checkpoints: a hot path)."""
    path = Path(seal_dir) / "key.pem"
    return parsed_key(str(path), path.stat().st_mtime_ns)


def public_key(seal_dir):
    """Return the seal certificate's public key, parsed once per version of its file."""
    path = Path(seal_dir) / "cert.pem"
    return parsed_public_key(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def parsed_key(path, version):
    """Parse a PEM private key (version: the file's mtime, so a replaced key is re-read)."""
    return serialization.load_pem_private_key(Path(path).read_bytes(), None)


@functools.lru_cache(maxsize=4)
def parsed_public_key(path, version):
    """Parse a PEM certificate's public key (version: the file's mtime)."""
    return x509.load_pem_x509_certificate(Path(path).read_bytes()).public_key()


def sign_bytes(data, seal_dir):
    """Sign data with the seal key (ECDSA, SHA-256); return the signature as base64."""
    signature = private_key(seal_dir).sign(data, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()


def signature_holds(data, signature, seal_dir):
    """Tell whether a base64 signature over data was made with the seal key."""
    try:
        public_key(seal_dir).verify(base64.b64decode(signature or ""), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def signing_request(seal_dir, clinic_name):
    """Return a PEM certificate signing request for the seal key, for a trusted provider."""
    key = serialization.load_pem_private_key((Path(seal_dir) / "key.pem").read_bytes(), None)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{clinic_name} consent seal"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, clinic_name)])
    request = (x509.CertificateSigningRequestBuilder().subject_name(name)
               .add_extension(x509.KeyUsage(True, True, False, False, False, False, False,
                                            False, False), critical=True)
               .sign(key, hashes.SHA256()))
    return request.public_bytes(serialization.Encoding.PEM)
