"""The clinic's seal key: in a file outside the instance, or in a PKCS#11 token."""
import base64
import functools
import logging
import os
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.keys import load_cert_from_pemder
from pyhanko.sign import signers

from . import certificates, seal_attributes, softhsm
from .certificates import seal_name

log = logging.getLogger(__name__)
RETIRED = "retired"  # beside cert.pem: certificates of earlier seal keys


@dataclass(frozen=True)
class SealKeys:
    """Where the seal certificate (public) and its private key live."""

    certificate: str
    key_file: str | None = None
    pkcs11_module: str | None = None
    pkcs11_token: str | None = None
    pkcs11_pin: str | None = None
    pkcs11_key: str = "consent-seal"
    pkcs11_conf: str | None = None  # SoftHSM2's configuration file, when the token is one

    @property
    def in_token(self):
        """Tell whether the key lives in a PKCS#11 token."""
        return bool(self.pkcs11_module)


def from_config(config):
    """Return the SealKeys a configuration names."""
    folder = Path(config["SEAL_DIR"])
    return SealKeys(str(folder / "cert.pem"),
                    config.get("SEAL_KEY_FILE") or str(folder / "key.pem"),
                    config.get("SEAL_PKCS11_MODULE"), config.get("SEAL_PKCS11_TOKEN"),
                    config.get("SEAL_PKCS11_PIN"), config.get("SEAL_PKCS11_KEY") or "consent-seal",
                    config.get("SEAL_PKCS11_CONF"))


def create(keys, clinic_name):
    """Make the seal key and its ten-year certificate unless present; tell if made."""
    if Path(keys.certificate).exists():
        return False
    Path(keys.certificate).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if keys.in_token:
        pem = certificates.self_signed_in_token(token_session(keys), keys.pkcs11_key,
                                                clinic_name)
    else:
        key = ec.generate_private_key(ec.SECP256R1())
        Path(keys.key_file).parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with open(keys.key_file, "xb", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
            handle.write(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
        pem = certificates.self_signed(key, clinic_name)
    Path(keys.certificate).write_bytes(pem)
    return True


def token_session(keys):
    """Return this process's logged-in session on the token."""
    if keys.pkcs11_conf:  # SoftHSM2 reads it when the module is first loaded
        os.environ["SOFTHSM2_CONF"] = keys.pkcs11_conf
    return opened_session(keys.pkcs11_module, keys.pkcs11_token, keys.pkcs11_pin, os.getpid(),
                          keys.pkcs11_conf)


@functools.lru_cache(maxsize=4)
def opened_session(module, token, pin, pid, conf=None):
    """Open one session per token and process: a login holds for the whole application,
    and a session does not survive fork."""
    import pkcs11

    library = pkcs11.lib(module)
    try:
        found = library.get_token(token_label=token)
    except pkcs11.NoSuchToken:
        # A token made after the module was loaded (`init` just made it) needs a rescan,
        # which closes this process's other sessions: forget them.
        rescan(library)
        if conf and softhsm.restore_emptied(conf):  # a login cut short emptied its file
            log.warning("Restored the seal token's token.object from its copy")
            rescan(library)
        found = library.get_token(token_label=token)
    if conf:
        softhsm.keep_copy(conf, token)
    # read-write: `init` generates the key in this same session
    return found.open(rw=True, user_pin=pin)


def rescan(library):
    """Make the module read its tokens again, forgetting this process's sessions."""
    library.reinitialize()
    opened_session.cache_clear()
    cached_signer.cache_clear()


def signer(keys):
    """Return a pyHanko signer for the seal key, built once per process."""
    return cached_signer(keys, os.getpid())


@functools.lru_cache(maxsize=4)
def cached_signer(keys, pid):
    """Build the signer for one process."""
    if not keys.in_token:
        return seal_attributes.cached(signers.SimpleSigner.load(keys.key_file, keys.certificate))
    from pyhanko.sign.pkcs11 import PKCS11Signer

    class OneAtATime(PKCS11Signer):
        """A token session signs one message at a time; the service has threads."""

        lock = threading.Lock()

        async def async_sign_raw(self, data, digest_algorithm, dry_run=False):
            """Sign under the session lock."""
            with self.lock:
                return await super().async_sign_raw(data, digest_algorithm, dry_run)

    # use_raw_mechanism: hash here, sign with CKM_ECDSA, which every token offers
    return seal_attributes.cached(OneAtATime(
        token_session(keys), key_label=keys.pkcs11_key, use_raw_mechanism=True,
        signing_cert=load_cert_from_pemder(keys.certificate)))


def sign_bytes(data, keys):
    """Sign data with the seal key (ECDSA, SHA-256); return the DER signature as base64."""
    if keys.in_token:
        from .timestamps import run_coroutine
        signature = run_coroutine(lambda: signer(keys).async_sign_raw(data, "sha256"))
    else:  # checkpoints sign on every write: skip pyHanko's per-call key conversion
        signature = file_key(keys.key_file, mtime(keys.key_file)).sign(
            data, ec.ECDSA(hashes.SHA256()))
    return base64.b64encode(signature).decode()


def signature_holds(data, signature, keys):
    """Tell whether a base64 signature over data was made with the seal key or a retired one."""
    for path in (keys.certificate, *retired(keys)):
        try:
            public_key(path, mtime(path)).verify(base64.b64decode(signature or ""), data,
                                                 ec.ECDSA(hashes.SHA256()))
        except (InvalidSignature, ValueError, TypeError):
            continue
        return True
    return False


def retired(keys):
    """List the certificates of seal keys retired by a re-issue (they verify, never sign)."""
    return tuple(str(p) for p in sorted((Path(keys.certificate).parent / RETIRED).glob("*.pem")))


def named(certificate):
    """Return the organisation a certificate names (the clinic), or None."""
    cert = x509.load_pem_x509_certificate(Path(certificate).read_bytes())
    found = cert.subject.get_attributes_for_oid(x509.oid.NameOID.ORGANIZATION_NAME)
    return found[0].value if found else None


def reissue(keys, clinic_name, stamp, label=None):
    """Retire the seal key's certificate and make a new key and certificate; return the keys.

    A file key is deleted (its certificate still verifies what it sealed); a token key is
    left in the token, and the new one gets the label given.
    """
    if keys.in_token and not label:
        raise ValueError("the key is in a token: give the new key a label (--pkcs11-label)")
    folder = Path(keys.certificate).parent / RETIRED
    folder.mkdir(mode=0o700, exist_ok=True)
    os.replace(keys.certificate, folder / f"{stamp}-cert.pem")
    if keys.in_token:
        keys = replace(keys, key_file=None, pkcs11_key=label)
    else:
        Path(keys.key_file).unlink(missing_ok=True)
    create(keys, clinic_name)
    return keys


def mtime(path):
    """Return a file's modification time, so a replaced file is parsed again."""
    return Path(path).stat().st_mtime_ns


@functools.lru_cache(maxsize=4)
def file_key(path, version):
    """Parse a PEM private key once per version of its file."""
    return serialization.load_pem_private_key(Path(path).read_bytes(), None)


@functools.lru_cache(maxsize=4)
def public_key(path, version):
    """Parse a PEM certificate's public key once per version of its file."""
    return x509.load_pem_x509_certificate(Path(path).read_bytes()).public_key()


def signing_request(keys, clinic_name):
    """Return a PEM certificate signing request for the seal key, for a trusted provider."""
    if keys.in_token:
        raise ValueError("the key is in a token: make the request with the token's own tools")
    key = file_key(keys.key_file, mtime(keys.key_file))
    request = (x509.CertificateSigningRequestBuilder().subject_name(seal_name(clinic_name))
               .add_extension(certificates.SEAL_USAGE, critical=True)
               .sign(key, hashes.SHA256()))
    return request.public_bytes(serialization.Encoding.PEM)
