"""The clinic's own small CA and a server certificate, for `make run HTTPS=1`."""
import datetime
import ipaddress
import socket
from pathlib import Path
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_CERT, CA_KEY = "tls/ca.pem", "tls/ca-key.pem"
SERVER_CERT, SERVER_KEY = "tls/server.pem", "tls/server-key.pem"
SERVER_DAYS = 397  # browsers refuse server certificates valid for longer
RENEW_DAYS = 30


def write_key(path, key):
    """Write a private key readable by the service user only."""
    path.touch(mode=0o600)
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))


def build(subject, issuer, public_key, days, extensions, signing_key):
    """Sign a certificate with the given extensions."""
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(hours=1))
               .not_valid_after(now + datetime.timedelta(days=days)))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(signing_key, hashes.SHA256())


def create_ca(folder, clinic_name):
    """Create the clinic's CA (ten years), unless it exists."""
    if (folder / CA_CERT).exists():
        return False
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{clinic_name} local CA"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, clinic_name)])
    cert = build(name, name, key.public_key(), 3650, [
        (x509.BasicConstraints(ca=True, path_length=0), True),
        (x509.KeyUsage(False, False, False, False, False, True, True, False, False), True),
        (x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)], key)
    (folder / "tls").mkdir(mode=0o700, exist_ok=True)
    write_key(folder / CA_KEY, key)
    (folder / CA_CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return True


def host_names(public_url, extra=()):
    """List the names and addresses the server certificate must cover."""
    names = {"localhost", "127.0.0.1", "::1", socket.gethostname(), socket.getfqdn(), *extra}
    if host := urlsplit(public_url).hostname:
        names.add(host)
    return sorted(n for n in names if n)


def alt_name(name):
    """Return an IP or DNS subject alternative name."""
    try:
        return x509.IPAddress(ipaddress.ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def needs_server_cert(folder, names):
    """Tell whether the server certificate is missing, expiring or lacks a name."""
    path = folder / SERVER_CERT
    if not path.exists():
        return True
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    soon = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=RENEW_DAYS)
    covered = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    return cert.not_valid_after_utc < soon or any(alt_name(n) not in covered for n in names)


def create_server_cert(folder, clinic_name, names):
    """Issue a server certificate from the clinic's CA when needed; tell if one was made."""
    if not needs_server_cert(folder, names):
        return False
    ca_key = serialization.load_pem_private_key((folder / CA_KEY).read_bytes(), None)
    ca = x509.load_pem_x509_certificate((folder / CA_CERT).read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0]),
                         x509.NameAttribute(NameOID.ORGANIZATION_NAME, clinic_name)])
    cert = build(subject, ca.subject, key.public_key(), SERVER_DAYS, [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.KeyUsage(True, False, False, False, False, False, False, False, False), True),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
        (x509.SubjectAlternativeName([alt_name(n) for n in names]), False),
        (x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), False)],
        ca_key)
    write_key(folder / SERVER_KEY, key)
    (folder / SERVER_CERT).write_bytes(cert.public_bytes(serialization.Encoding.PEM) +
                                       ca.public_bytes(serialization.Encoding.PEM))
    return True


def ensure(instance_path, clinic_name, public_url, extra_hosts=()):
    """Create the CA and a current server certificate; return what was made."""
    folder = Path(instance_path)
    made = ["CA"] if create_ca(folder, clinic_name) else []
    if create_server_cert(folder, clinic_name, host_names(public_url, extra_hosts)):
        made.append("server certificate")
    return made
