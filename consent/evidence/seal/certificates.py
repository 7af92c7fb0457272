"""The seal certificate: an end-entity certificate that seals documents and issues nothing."""
import datetime
import hashlib

from asn1crypto import algos, keys as asn1_keys, pem, x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID

SEAL_USAGE = x509.KeyUsage(True, True, False, False, False, False, False, False, False)
YEARS = 10


def seal_name(clinic_name):
    """Return the subject name of the clinic's seal."""
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{clinic_name} consent seal"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, clinic_name)])


def validity():
    """Return (not before, not after) of a new seal certificate."""
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    return now - datetime.timedelta(days=1), now + datetime.timedelta(days=365 * YEARS)


def self_signed(key, clinic_name):
    """Return a PEM self-signed seal certificate for a key held in memory."""
    start, end = validity()
    name = seal_name(clinic_name)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(SEAL_USAGE, critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def self_signed_in_token(session, label, clinic_name):
    """Generate a P-256 key inside the token and return its PEM self-signed certificate.

    The private key is created non-extractable: it never exists outside the token, so
    the certificate is assembled with asn1crypto and signed by the token itself.
    """
    from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
    from pkcs11.util.ec import encode_ec_public_key, encode_named_curve_parameters

    if list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                 Attribute.LABEL: label})):
        raise ValueError(f"the token already holds a key labelled {label!r}: restore its "
                         f"cert.pem, or set SEAL_PKCS11_KEY to a new label")

    params = session.create_domain_parameters(KeyType.EC, {
        Attribute.EC_PARAMS: encode_named_curve_parameters("secp256r1")}, local=True)
    public, private = params.generate_keypair(
        store=True, label=label, private_template={Attribute.SENSITIVE: True,
                                                   Attribute.EXTRACTABLE: False})
    name = asn1_x509.Name.load(seal_name(clinic_name).public_bytes())
    start, end = validity()
    tbs = asn1_x509.TbsCertificate({
        "version": "v3", "serial_number": x509.random_serial_number(),
        "signature": {"algorithm": "sha256_ecdsa"}, "issuer": name, "subject": name,
        "validity": {"not_before": asn1_x509.Time({"utc_time": start}),  # UTCTime to 2049
                     "not_after": asn1_x509.Time({"utc_time": end})},
        "subject_public_key_info": asn1_keys.PublicKeyInfo.load(encode_ec_public_key(public)),
        "extensions": [
            {"extn_id": "basic_constraints", "critical": True, "extn_value": {"ca": False}},
            {"extn_id": "key_usage", "critical": True,
             "extn_value": {"digital_signature", "non_repudiation"}}]})
    # Plain CKM_ECDSA over the digest: SoftHSM2 and many cards lack CKM_ECDSA_SHA256.
    raw = private.sign(hashlib.sha256(tbs.dump()).digest(), mechanism=Mechanism.ECDSA)
    cert = asn1_x509.Certificate({
        "tbs_certificate": tbs, "signature_algorithm": {"algorithm": "sha256_ecdsa"},
        "signature_value": algos.DSASignature.from_p1363(raw).dump()})
    return pem.armor("CERTIFICATE", cert.dump())
