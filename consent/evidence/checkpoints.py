"""Signed checkpoints of the hash chains' heads, kept outside the database.

After every change to a chain the service appends one line to CHECKPOINT_DIR/
checkpoints.jsonl: the newest entry (seq and hash) of each chain, the hash of the previous
line, and an ECDSA signature with the seal key, which the database never holds. Whoever
rewrites or truncates the database, even recomputing every hash, cannot make it agree with
the checkpoints again without that key; point CHECKPOINT_DIR at another disk or a
write-once mount so the log itself is out of reach too.
"""
import fcntl
import hashlib
import json
import os
from datetime import datetime, timedelta
from pathlib import Path

from ..kernel import clock
from . import witness
from .seal import timestamps
from .seal.keys import sign_bytes, signature_holds

CHAINS = ("archive", "audit", "ledger")
LOG = "checkpoints.jsonl"
TAIL_BYTES = 8192  # a line is well under 1 kB


def heads(db, last=None):
    """Return each chain's newest entry as [seq, entry_hash] (None while empty), and the
    purge records as [count, digest]: a purge deletes from the middle, moving no head.

    With the last line: while the purges' count stands, its digest is carried on instead of
    hashing every purge record on every write (a rewrite is verify's to find).
    """
    found = {}
    for table in CHAINS:
        row = next(db[table].rows_where(select="seq, entry_hash", order_by="seq desc",
                                        limit=1), None)
        found[table] = [row["seq"], row["entry_hash"]] if row else None
    count = db.execute("select count(*) from purges").fetchone()[0]
    seen = (last or {}).get("heads", {}).get("purges")
    if seen and seen[0] == count:
        found["purges"] = seen
    else:
        records = purge_rows(db)
        found["purges"] = [len(records), digest(records)]
    return found


def purge_rows(db):
    """Return the purge records in the order they were made, as their signed fields."""
    return [list(row) for row in db.execute(
        "select submission_id, purged_at, entry_hash, prev_hash from purges order by rowid")]


def digest(records):
    """Return the SHA-256 of purge records, canonically."""
    return hashlib.sha256(json.dumps(records, separators=(",", ":")).encode()).hexdigest()


def unwitnessed_purges(db, line):
    """Name purge records a witnessed line does not vouch for: changed, or made after it."""
    seen = line["heads"].get("purges")
    if seen is None:  # a line from before purges were checkpointed
        return []
    records = purge_rows(db)
    count, found = seen[0], []
    if digest(records[:count]) != seen[1]:
        found.append(f"purge records: changed or removed since checkpoint {line['n']} of "
                     f"{line['at']}")
    found += [f"purge record of submission {row[0]}: made after checkpoint {line['n']}, the "
              "newest the witness holds (forged, or not yet sent: `flask witness send`)"
              for row in records[count:]]
    return found


def signed_text(line):
    """Return the canonical bytes a line's signature and timestamp cover."""
    body = {k: v for k, v in line.items() if k not in ("sig", "tst")}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def parse(raw):
    """Return a line's checkpoint, or None for a line cut short (a power cut) or mangled."""
    try:
        line = json.loads(raw)
    except ValueError:
        return None
    return line if isinstance(line, dict) and "heads" in line else None


def read_lines(folder):
    """Return the checkpoint log as (raw bytes, checkpoint or None) pairs."""
    path = Path(folder) / LOG
    if not path.exists():
        return []
    return [(raw, parse(raw)) for raw in path.read_bytes().splitlines() if raw.strip()]


def last_good_line(log):
    """Return the newest whole line (bytes) without reading the whole file, or None."""
    size = log.seek(0, os.SEEK_END)
    log.seek(max(0, size - TAIL_BYTES))
    tail = log.read()
    if tail and not tail.endswith(b"\n"):
        log.write(b"\n")  # a line cut short by a power cut stays alone on its line
    return next((raw for raw in reversed(tail.splitlines()) if parse(raw)), None)


def due(last, every_minutes):
    """Tell whether enough time has passed since the last checkpoint to write another."""
    if not last or not every_minutes:
        return True
    return clock.now() - datetime.fromisoformat(last["at"]) >= timedelta(minutes=every_minutes)


def write(db, keys, folder, every_minutes=0, tsa=None, witnessed=False):
    """Append a signed checkpoint if any chain moved since the last one; tell if it did.

    With a TSA the line is written even if nothing moved, and carries an RFC 3161
    token: the chains' heads provably existed then, so no rewrite can be back-dated.
    witnessed: also queue the line for the off-host witness (evidence/witness.py).
    """
    Path(folder).mkdir(parents=True, exist_ok=True, mode=0o700)
    with open(Path(folder) / LOG, "ab+") as log:
        fcntl.flock(log, fcntl.LOCK_EX)  # workers and threads append one at a time
        raw = last_good_line(log)
        last = json.loads(raw) if raw else None
        now = heads(db, last)  # read under the lock: the log's order is the chains' order
        if not tsa and ((last and last["heads"] == now) or not due(last, every_minutes)):
            return False
        line = {"n": last["n"] + 1 if last else 1, "at": clock.iso(clock.now()), "heads": now,
                "prev": hashlib.sha256(raw).hexdigest() if raw else None}
        line["sig"] = sign_bytes(signed_text(line), keys)
        if tsa:
            line["tst"] = timestamps.token(signed_text(line), tsa)
        raw = json.dumps(line, sort_keys=True).encode()
        log.write(raw + b"\n")
        log.flush()
        os.fsync(log.fileno())
        if witnessed:  # under the lock: the queue's order is the log's
            witness.enqueue(folder, line["n"], raw)
    return True


def set_aside(folder):
    """Keep an empty instance's log under another name before a restore brings a history."""
    path = Path(folder) / LOG
    if path.exists():
        path.rename(path.with_name(f"{LOG}.before-restore-{clock.now():%Y%m%dT%H%M%S}"))


def line_problems(lines, keys, tsa=None):
    """Check the log itself: numbering without gaps, links, and every signature."""
    found, previous, number = [], None, 0
    for position, (raw, line) in enumerate(lines, start=1):
        if line is None:
            found.append(f"checkpoint log line {position}: unreadable (cut short by a power "
                         "cut while writing, or edited)")
            continue
        number += 1
        if line.get("n") != number:
            found.append(f"checkpoint {number}: numbered {line.get('n')} (lines missing or "
                         f"reordered)")
        if line.get("prev") != (hashlib.sha256(previous).hexdigest() if previous else None):
            found.append(f"checkpoint {number}: does not follow the line before it")
        if not signature_holds(signed_text(line), line.get("sig"), keys):
            found.append(f"checkpoint {number}: signature does not hold")
        if "tst" in line and not timestamps.token_time(signed_text(line), line["tst"], keys,
                                                       tsa):
            found.append(f"checkpoint {number}: its timestamp does not hold (is TSA_ROOTS "
                         f"set?)")
        previous = raw
    return found


def chain_problems(db, lines, table, purged):
    """Check that every head a checkpoint saw is still in the chain, unchanged."""
    rows = {row["seq"]: row["entry_hash"]
            for row in db[table].rows_where(select="seq, entry_hash")}
    purged = purged if table == "archive" else set()
    newest = max(rows, default=0)
    for _, line in lines:
        head = line["heads"].get(table) if line else None
        if head is None or head[1] in purged or rows.get(head[0]) == head[1]:
            continue
        if head[0] > newest:
            yield (f"{table}: entries {newest + 1} to {head[0]} are missing (the chain was cut "
                   f"short; checkpoint {line['n']} of {line['at']} saw entry {head[0]})")
        else:
            yield (f"{table}: entry {head[0]} differs from checkpoint {line['n']} of "
                   f"{line['at']} (rewritten or removed since)")
        return  # the first mismatch dates the damage; later ones repeat it


def problems(db, keys, folder, chains=CHAINS, purged=(), tsa=None):
    """List what the checkpoints prove wrong in the log or in the given chains.

    purged holds the entry hashes of archive entries a signed purge record removed.
    """
    lines = read_lines(folder)
    if not lines and any(heads(db)[table] for table in chains):
        return [f"no checkpoint log in {folder} while the chains hold entries: it was "
                "deleted or CHECKPOINT_DIR moved"]
    found = line_problems(lines, keys, tsa)
    for table in chains:
        found += chain_problems(db, lines, table, set(purged))
    return found
