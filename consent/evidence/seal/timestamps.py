"""The time-stamping authority (RFC 3161) and what a seal's validation trusts."""
import asyncio
import base64
import functools
import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from asn1crypto import cms
from pyhanko.keys import load_cert_from_pemder, load_certs_from_pemder
from pyhanko.sign.validation.generic_cms import validate_tst_signed_data
from pyhanko.sign.validation.status import TimestampSignatureStatus
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from .keys import retired


@dataclass(frozen=True)
class Tsa:
    """Where to ask for trusted time, and the roots its certificates chain to."""

    url: str | None = None
    roots: str | None = None
    timeout: int = 10


def from_config(config):
    """Return the Tsa a configuration names (url None: no timestamps)."""
    return Tsa(config.get("TSA_URL"), config.get("TSA_ROOTS"), config.get("TSA_TIMEOUT", 10))


@functools.lru_cache(maxsize=4)
def timestamper(tsa):
    """Return a pyHanko client for the TSA, one per process: it caches the size probe."""
    from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
    return HTTPTimeStamper(tsa.url, timeout=tsa.timeout)


@functools.lru_cache(maxsize=8)
def trust_roots(certificates, roots):
    """Parse the seal certificates (current and retired) and the TSA's roots once."""
    found = [load_cert_from_pemder(certificate) for certificate in certificates]
    return found + (list(load_certs_from_pemder([roots])) if roots else [])


def validation_context(keys, tsa, fetching=False):
    """Trust the clinic's seal certificate and the TSA's roots; fetch CRLs only to embed."""
    roots = trust_roots((keys.certificate, *retired(keys)), tsa.roots if tsa else None)
    # requests, not aiohttp: an aiohttp session outlives pyHanko's event loop (a warning)
    backend = RequestsFetcherBackend() if fetching else None
    return ValidationContext(trust_roots=roots, allow_fetching=fetching,
                             fetcher_backend=backend)


class NoTsa(Exception):
    """Trusted time was asked for, but no time-stamping authority is configured."""


def run_coroutine(make):
    """Run a coroutine to completion, even when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    # pyHanko's sync wrappers call asyncio.run(), which fails inside a running loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def token(data, tsa):
    """Ask the TSA to timestamp data; return the RFC 3161 token as base64."""
    digest = hashlib.sha256(data).digest()
    found = run_coroutine(lambda: timestamper(tsa).async_timestamp(digest, "sha256"))
    return base64.b64encode(found.dump()).decode()


def token_time(data, encoded, keys, tsa):
    """Return the trusted time a base64 token gives data, or None if it does not hold."""
    try:
        signed = cms.ContentInfo.load(base64.b64decode(encoded))["content"]
        found = TimestampSignatureStatus(**run_coroutine(lambda: validate_tst_signed_data(
            signed, validation_context(keys, tsa),
            lambda algorithm: hashlib.new(algorithm, data).digest())))
    except Exception:  # noqa: BLE001 - a damaged or foreign token proves no time
        return None
    return found.timestamp if found.intact and found.valid and found.trusted else None
