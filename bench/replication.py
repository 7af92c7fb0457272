"""What continuous replication costs and how far behind it runs (used by bench.http)."""
import sqlite3
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from consent.evidence import replica

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from local_s3 import LocalS3  # noqa: E402


def newest(path):
    """Return the newest submission's created_at in a database file, or None."""
    try:
        with sqlite3.connect(path) as db:
            row = db.execute("select max(created_at) from submissions").fetchone()
    except sqlite3.DatabaseError:
        return None
    return row[0] and datetime.fromisoformat(row[0])


class Replication:
    """Litestream on an instance's database, to a moto bucket on 127.0.0.1."""

    def __init__(self, instance):
        self.s3 = LocalS3().start()
        self.config = {**self.s3.replica_config(), "REPLICA_SYNC_SECONDS": 1,
                       "DATABASE": str(Path(instance) / "consent.sqlite")}
        self.folder, self.process, self.lags = Path(instance), None, []

    def start(self):
        """Start replicating."""
        self.process = replica.start(self.config, self.folder)

    def stop(self):
        """Stop replicating."""
        if self.process:
            self.process.terminate()
            self.process.wait()
            self.process = None

    def lag(self):
        """Return how far the replica is behind now: the age of its newest submission.

        Under load a submission arrives every few tens of milliseconds, so that age is the
        replica's lag, give or take one gap between submissions.
        """
        asked = datetime.now(timezone.utc)
        with tempfile.TemporaryDirectory() as work:
            restored = Path(work) / "restored.sqlite"
            replica.restore_database(self.config, restored, check=False)
            copy = newest(restored)
        return None if copy is None else (asked - copy).total_seconds()

    def sample(self, stop, every=5):
        """Measure the lag every few seconds until stop is set (run in a thread)."""
        while not stop.wait(every):
            if (lag := self.lag()) is not None:
                self.lags.append(max(lag, 0.0))

    def sampling(self):
        """Start sampling in a thread; return the event that stops it."""
        stop = threading.Event()
        threading.Thread(target=self.sample, args=(stop,), daemon=True).start()
        return stop

    def close(self):
        """Stop Litestream and the bucket's server."""
        self.stop()
        self.s3.stop()


def wait_briefly():
    """Let Litestream take its first snapshot before timing anything."""
    time.sleep(2)
