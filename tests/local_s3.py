"""A real S3-compatible server on 127.0.0.1 for the off-host witness: moto in server mode.

moto implements Object Lock (compliance mode refuses to delete a locked version), and its
state lives in this process, so a server stopped and started on the same port keeps its
buckets: what a witness that goes down and comes back looks like.
"""
import secrets

import boto3
from moto.server import ThreadedMotoServer

CREDENTIALS = {"WITNESS_ACCESS_KEY": "test", "WITNESS_SECRET_KEY": "test",
               "WITNESS_REGION": "us-east-1"}


class LocalS3:
    """Start, stop and restart one moto server; hand out buckets with Object Lock."""

    def __init__(self):
        self.port, self.server = 0, None

    def start(self):
        """Start (or start again, on the same port)."""
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()
        self.port = self.server.get_host_and_port()[1]
        return self

    def stop(self):
        """Stop serving (the buckets stay, in this process)."""
        self.server.stop()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def config(self):
        """Create a fresh bucket with Object Lock; return the instance settings that use it."""
        bucket = f"witness-{secrets.token_hex(6)}"
        boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test").create_bucket(
            Bucket=bucket, ObjectLockEnabledForBucket=True)
        return {"WITNESS_BUCKET": bucket, "WITNESS_ENDPOINT": self.url, **CREDENTIALS}

    def replica_config(self):
        """Create a plain bucket (Litestream replaces its own files); return the settings."""
        bucket = f"replica-{secrets.token_hex(6)}"
        boto3.client("s3", endpoint_url=self.url, region_name="us-east-1",
                     aws_access_key_id="test", aws_secret_access_key="test").create_bucket(
            Bucket=bucket)
        return {"REPLICA_BUCKET": bucket, "REPLICA_ENDPOINT": self.url,
                "REPLICA_ACCESS_KEY": "test", "REPLICA_SECRET_KEY": "test",
                "REPLICA_REGION": "us-east-1"}
