"""The time-stamping authority (RFC 3161) and what a seal's validation trusts."""
import functools
from dataclasses import dataclass

from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend


@dataclass(frozen=True)
class Tsa:
    """Where to ask for trusted time, and the roots its certificates chain to."""

    url: str | None = None
    roots: str | None = None
    timeout: int = 10


def from_config(config):
    """Return the Tsa a configuration names (url None: no timestamps)."""
    return Tsa(config.get("TSA_URL"), config.get("TSA_ROOTS"), config.get("TSA_TIMEOUT", 10))


def timestamper(tsa):
    """Return a pyHanko client for the TSA."""
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
    return HTTPTimeStamper(tsa.url, timeout=tsa.timeout)


@functools.lru_cache(maxsize=8)
def trust_roots(certificate, roots):
    """Parse the seal certificate and the TSA's roots once."""
    found = [load_cert_from_pemder(certificate)]
    return found + (list(load_certs_from_pemder([roots])) if roots else [])


def validation_context(keys, tsa, fetching=False):
    """Trust the clinic's seal certificate and the TSA's roots; fetch CRLs only to embed."""
    roots = trust_roots(keys.certificate, tsa.roots if tsa else None)
    # requests, not aiohttp: an aiohttp session outlives pyHanko's event loop (a warning)
    backend = RequestsFetcherBackend() if fetching else None
    return ValidationContext(trust_roots=roots, allow_fetching=fetching,
                             fetcher_backend=backend)


class NoTsa(Exception):
    """Trusted time was asked for, but no time-stamping authority is configured."""
