"""Run a real RFC 3161 time-stamping authority on 127.0.0.1 (certomancer's Animator)."""
import threading
from pathlib import Path

from asn1crypto import pem
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from werkzeug.serving import WSGIRequestHandler, make_server

# A root CA that publishes a CRL, and a TSA certificate it issued, as a public TSA has.
CONFIG = """
keysets:
  clinic-tsa:
    keys:
      root: {path: root.key.pem}
      tsa: {path: tsa.key.pem}
pki-architectures:
  tsa:
    keyset: clinic-tsa
    entity-defaults: {country-name: GB, organization-name: Local Time Stamping}
    entities:
      root: {common-name: Local TSA Root}
      tsa: {common-name: Local Time Stamping Unit}
    certs:
      root:
        subject: root
        issuer: root
        validity: {valid-from: "2020-01-01T00:00:00+0000", valid-to: "2060-01-01T00:00:00+0000"}
        extensions:
          - {id: basic_constraints, critical: true, value: {ca: true}}
          - id: key_usage
            critical: true
            smart-value: {schema: key-usage, params: [digital_signature, key_cert_sign, crl_sign]}
      tsa:
        issuer: root
        validity: {valid-from: "2020-01-01T00:00:00+0000", valid-to: "%(tsa_expiry)s"}
        extensions:
          - id: key_usage
            critical: true
            smart-value: {schema: key-usage, params: [digital_signature]}
          - {id: extended_key_usage, critical: true, value: [time_stamping]}
          - id: crl_distribution_points
            smart-value: {schema: crl-dist-url, params: {crl-repo-names: [root]}}
    services:
      crl-repo:
        root: {for-issuer: root, signing-key: root, simulated-update-schedule: "P90D"}
      time-stamping:
        tsa: {signing-key: tsa, signing-cert: tsa}
"""


class Quiet(WSGIRequestHandler):
    """Serve without a log line per request (benchmarks send hundreds)."""

    def log_request(self, *args, **kwargs):
        """Log nothing."""


class LocalTsa:
    """A TSA served over HTTP on 127.0.0.1 from a thread, with its root certificate."""

    def __init__(self, folder, tsa_expiry="2040-01-01T00:00:00+0000"):
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("root", "tsa"):
            key = ec.generate_private_key(ec.SECP256R1())
            (folder / f"{name}.key.pem").write_bytes(key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption()))
        self.app = None
        self.server = make_server("127.0.0.1", 0, self.dispatch, threaded=True,
                                  request_handler=Quiet)
        prefix = f"http://127.0.0.1:{self.server.port}"
        config = CertomancerConfig.from_yaml(CONFIG % {"tsa_expiry": tsa_expiry}, str(folder),
                                             external_url_prefix=prefix)
        arch = config.get_pki_arch("tsa")
        self.app = Animator(AnimatorArchStore(config.pki_archs), with_web_ui=False)
        self.url = f"{prefix}/tsa/tsa/tsa"
        self.roots = folder / "tsa-roots.pem"
        self.roots.write_bytes(pem.armor("CERTIFICATE", arch.get_cert("root").dump()))
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def dispatch(self, environ, start_response):
        """Hand each request to the Animator (built once the port is known)."""
        return self.app(environ, start_response)

    def stop(self):
        """Stop serving; a later request is refused, as from a TSA that is down."""
        self.server.shutdown()
        self.server.server_close()

