"""The seal's signed CMS attributes, with the one that never changes built once."""
from asn1crypto import tsp
from pyhanko.sign import attributes, general
from pyhanko.sign.signers.pdf_cms import SignedAttributeProviderSpec


class SigningCertificate(attributes.SigningCertificateV2Provider):
    """The signing-certificate-v2 attribute, built once per signer from its certificate."""

    def __init__(self, signing_cert):
        super().__init__(signing_cert)
        # Parsed back from DER: asn1crypto re-encodes a freshly built value every time a
        # parent reads it (about 1,300 re-encodings, 6.5 ms a seal); a parsed one keeps
        # its bytes.
        self.value = tsp.SigningCertificateV2.load(
            general.as_signing_certificate_v2(signing_cert).dump())

    async def build_attr_value(self, dry_run=False):
        """Return the value built once."""
        return self.value


class SealAttributes(SignedAttributeProviderSpec):
    """What pyHanko's PAdES default gives a seal (no signing time, no CAdES extras), cached."""

    def __init__(self, signing_cert):
        self.certificate = SigningCertificate(signing_cert)

    def signed_attr_providers(self, data_digest, digest_algorithm):
        """Yield the signing certificate; pyHanko adds content type, digest and protection."""
        yield self.certificate


def cached(signer):
    """Give a pyHanko signer the cached attributes; return it."""
    signer.signed_attr_prov_spec = SealAttributes(signer.signing_cert)
    return signer
