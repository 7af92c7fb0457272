"""An off-host witness: every checkpoint line, also kept where this host cannot rewrite it.

Each line the service appends to its checkpoint log is queued here (a file per line in
CHECKPOINT_DIR/witness-queue) and sent, by a separate sender, to an S3-compatible bucket
with Object Lock in compliance mode: nobody, the bucket's owner included, can delete or
change an object before its retention ends. A host rolled back, or cut short, with its
database, archive and checkpoint log together no longer matches the newest line the witness
holds. A witness that is down blocks nobody: lines wait in the queue.
"""
import json
import os
from datetime import timedelta
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from ..kernel import clock

QUEUE = "witness-queue"
FAILURES = (BotoCoreError, ClientError)


def configured(config):
    """Tell whether this instance has an off-host witness."""
    return bool(config.get("WITNESS_BUCKET"))


def enqueue(folder, number, raw):
    """Queue one checkpoint line for the witness, written whole or not at all."""
    queue = Path(folder) / QUEUE
    queue.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = queue / f".{number:012d}.tmp"
    with open(temporary, "wb") as f:
        f.write(raw)
        f.flush()
        os.fsync(f.fileno())
    temporary.rename(queue / f"{number:012d}.json")


def waiting(folder):
    """Return the queued lines' files, oldest first."""
    queue = Path(folder) / QUEUE
    return sorted(queue.glob("*.json")) if queue.is_dir() else []


def client(config):
    """Return an S3 client that gives up quickly: the queue keeps what it could not send."""
    import boto3  # here: 0.2 s to import, and only the sender and verify need it
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=config.get("WITNESS_ENDPOINT"),
        region_name=config.get("WITNESS_REGION"),
        aws_access_key_id=config.get("WITNESS_ACCESS_KEY"),
        aws_secret_access_key=config.get("WITNESS_SECRET_KEY"),
        config=Config(connect_timeout=3, read_timeout=10, retries={"max_attempts": 2}))


def key(config, number):
    """Return the object key of checkpoint line number."""
    return f"{config.get('WITNESS_PREFIX') or ''}checkpoints/{number:012d}.json"


def send(config, folder):
    """Send queued lines, oldest first, locked for WITNESS_RETENTION_DAYS; return (sent, left).

    Stops at the first failure (the witness is down or refuses): the rest stay queued.
    """
    files, sent = waiting(folder), 0
    if not files:
        return 0, 0
    s3 = client(config)
    until = clock.now() + timedelta(days=config["WITNESS_RETENTION_DAYS"])
    for path in files:
        try:
            s3.put_object(Bucket=config["WITNESS_BUCKET"], Key=key(config, int(path.stem)),
                          Body=path.read_bytes(), ObjectLockMode="COMPLIANCE",
                          ObjectLockRetainUntilDate=until, ChecksumAlgorithm="SHA256")
        except FAILURES:
            break
        path.unlink()
        sent += 1
    return sent, len(files) - sent


def versions(config, s3):
    """Map each witnessed line's number to its versions (oldest first), delete markers aside."""
    found = {}
    prefix = key(config, 0).rsplit("/", 1)[0] + "/"
    pages = s3.get_paginator("list_object_versions").paginate(
        Bucket=config["WITNESS_BUCKET"], Prefix=prefix)
    for page in pages:
        for version in page.get("Versions", []):
            number = int(version["Key"].rsplit("/", 1)[1].split(".")[0])
            found.setdefault(number, []).append(version)
    # S3 lists a key's versions newest first; times have only a second's resolution.
    return {n: list(reversed(v)) for n, v in found.items()}


def newest(config):
    """Return (raw line, line, overwritten numbers) for the newest witnessed checkpoint.

    The first version written counts: a later one under the same key was written over it.
    """
    s3 = client(config)
    held = versions(config, s3)
    if not held:
        return None, None, []
    number = max(held)
    first = held[number][0]
    raw = s3.get_object(Bucket=config["WITNESS_BUCKET"], Key=first["Key"],
                                    VersionId=first["VersionId"])["Body"].read()
    return raw.rstrip(b"\n"), json.loads(raw), sorted(n for n, v in held.items() if len(v) > 1)


def log_problems(config, lines):
    """Compare the local checkpoint log with the witness; return (problems, witnessed line).

    The witnessed line is None when the witness holds nothing yet or cannot be read.
    """
    try:
        raw, line, overwritten = newest(config)
    except FAILURES as error:
        return [f"witness: cannot be read ({type(error).__name__}): truncation and rollback "
                "are not checked this run"], None
    found = [f"witness: checkpoint {n} was written again; the first version counts"
             for n in overwritten]
    if line is None:
        return found, None
    local = {entry["n"]: got for got, entry in lines if entry and "n" in entry}
    number, newest_local = line["n"], max(local, default=0)
    if number > newest_local:
        found.append(f"checkpoint log: lines {newest_local + 1} to {number} are missing: the "
                     f"witness holds checkpoint {number} of {line['at']} (the log was cut "
                     "short, or the host rolled back)")
    elif local.get(number) != raw:
        found.append(f"checkpoint {number}: differs from the witnessed copy of {line['at']} "
                     "(the log was rewritten)")
    return found, line
