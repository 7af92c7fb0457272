"""Lawful deletions: each purge is recorded and signed with the seal key when it happens.

A purge record bridges the gap its deletion leaves in the archive chain and the ledger only
if its signature holds: a row an insider adds to `purges` by hand bridges nothing.
"""
import json

from ..kernel import clock
from .seal.keys import sign_bytes, signature_holds


def signed_text(row):
    """Return the canonical bytes a purge record's signature covers."""
    fields = {k: row[k] for k in ("submission_id", "purged_at", "entry_hash", "prev_hash")}
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


def record(db, submission_id, entry, keys):
    """Write the signed record of a purge; the caller holds the write lock."""
    row = {"submission_id": submission_id, "purged_at": clock.iso(clock.now()),
           "entry_hash": entry["entry_hash"] if entry else "",
           "prev_hash": entry["prev_hash"] if entry else ""}
    db["purges"].insert({**row, "signature": sign_bytes(signed_text(row), keys)})


def sound(db, keys):
    """Return the purge records whose signature holds."""
    return [row for row in db["purges"].rows
            if signature_holds(signed_text(row), row["signature"], keys)]


def bridges(records):
    """Map the archive entry hash of each purged entry to its previous hash."""
    return {row["entry_hash"]: row["prev_hash"] for row in records if row["entry_hash"]}


def problems(db, keys):
    """Name each purge record whose signature does not hold."""
    return [f"purge record of submission {row['submission_id']}: not signed with the seal "
            f"key; it bridges nothing" for row in db["purges"].rows
            if not signature_holds(signed_text(row), row["signature"], keys)]
