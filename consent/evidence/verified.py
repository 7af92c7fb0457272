"""The signed record of seals already validated, so later checks validate only new ones.

`archive verify` validates every seal the first time, in parallel across cores, and
writes CHECKPOINT_DIR/verified-seals.json: per consent the SHA-256 of the file it
validated, its PAdES level and renewal date, and a digest of its attached record. Later
runs still hash every file and compare every record with the rows, but a file whose
hash matches this record needs no new signature validation. The record is signed with
the seal key, so it cannot be forged to hide a re-sealed file; `--full` ignores it.
"""
import json
import os
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from ..kernel.chain import digest
from . import pdf
from .seal import seal_check
from .seal.keys import sign_bytes, signature_holds

FILE = "verified-seals.json"
PARALLEL_FROM = 64  # below this, starting worker processes costs more than it saves


def load(folder, keys):
    """Return the verified seals a sound signed record lists; {} if none or if it fails."""
    try:
        body = json.loads((Path(folder) / FILE).read_text())
    except (OSError, ValueError):
        return {}
    seals = body.get("seals", {})
    return seals if signature_holds(digest(seals).encode(), body.get("sig"), keys) else {}


def save(folder, keys, seals):
    """Write the record atomically (a crash leaves the old one), signed with the seal key."""
    path = Path(folder) / FILE
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temp = path.with_name(f".{FILE}.{os.getpid()}.tmp")
    temp.write_text(json.dumps({"sig": sign_bytes(digest(seals).encode(), keys),
                                "seals": seals}))
    os.replace(temp, path)


def inspect(path, keys, tsa):
    """Validate one file's seal and read its attached record."""
    data = Path(path).read_bytes()
    return seal_check.check(data, keys, tsa), pdf.attached_record(data)


def inspect_all(paths, keys, tsa, workers=None):
    """Inspect files, across every core when there are many."""
    workers = workers or os.cpu_count() or 1
    if len(paths) < PARALLEL_FROM or workers == 1:
        return [inspect(path, keys, tsa) for path in paths]
    # fork: the workers inherit the loaded modules instead of importing pyHanko again
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
        return list(pool.map(inspect, paths, [keys] * len(paths), [tsa] * len(paths),
                             chunksize=32))
