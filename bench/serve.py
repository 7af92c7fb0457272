"""Run the app under gunicorn on 127.0.0.1 for load and crash tests."""
import os
import secrets
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parents[1]


def free_port():
    """Ask the kernel for a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare_instance(folder, keep_config=False, clinic_name="Harbour Skin Clinic"):
    """Write an instance folder with a secret key and bring it up to date with `flask init`."""
    from consent import create_app

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    if not keep_config:
        (folder / "config.py").write_text(f"SECRET_KEY = {secrets.token_hex(16)!r}\n")
    # The command runs in this process: a new one would spend two seconds importing the app
    # (WeasyPrint, pyHanko, FHIR) for each server a test starts. SoftHSM2 reads one token
    # folder per process, so the first instance's folder holds every token made here.
    os.environ.setdefault("XDG_DATA_HOME", str(folder.parent / "data"))
    with mock.patch.dict(os.environ, CONSENT_INSTANCE=str(folder)):
        done = create_app().test_cli_runner().invoke(
            args=["init", "--clinic-name", clinic_name])
    if done.exit_code:
        raise RuntimeError(f"flask init failed: {done.output}")
    return folder


def read_stat(path):
    """Return the fields of a /proc stat file after the command name, or [] if gone."""
    try:
        return path.read_text().rsplit(")", 1)[1].split()
    except OSError:
        return []


def established_sockets(port):
    """Return the inodes of established TCP connections to a local port."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "01":
            found.add(f"socket:[{fields[9]}]")
    return found


def open_sockets(pid):
    """Return the socket links among a process's open files, or none if it is gone."""
    links = set()
    for fd in Path(f"/proc/{pid}/fd").glob("*"):
        try:
            links.add(os.readlink(fd))
        except OSError:
            pass  # closed while we looked
    return links


class Gunicorn:
    """A gunicorn master serving wsgi:app for one instance folder."""

    def __init__(self, instance, workers=4, tls=False, port=None, access_log=None):
        self.port = port or free_port()
        self.url = f"{'https' if tls else 'http'}://127.0.0.1:{self.port}"
        self.log = Path(instance) / "gunicorn.log"
        extra = ["--certfile", str(Path(instance) / "tls" / "server.pem"),
                 "--keyfile", str(Path(instance) / "tls" / "server-key.pem")] if tls else []
        if access_log:
            extra += ["--access-logfile", str(access_log)]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", "python:consent.serving",
             "--bind", f"127.0.0.1:{self.port}", "--workers", str(workers),
             # A browser's idle keep-alive connection would hold the stop for the service's
             # 30 s; every request here ends well within 10 s.
             "--graceful-timeout", "10",
             "--error-logfile", str(self.log), *extra, "wsgi:app"],
            cwd=ROOT, env={**os.environ, "CONSENT_INSTANCE": str(instance)})
        self.wait_until_up()

    def wait_until_up(self, seconds=120):
        """Poll until a worker answers over HTTP."""
        # A listening port only means the master is up; on a busy machine the workers can
        # take seconds more to import the app, and a test timed from here would fail.
        context = ssl._create_unverified_context()  # the test instance's own certificate
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                urllib.request.urlopen(self.url + "/login", timeout=5, context=context).close()
                return
            except urllib.error.HTTPError:
                return  # any answer from the app will do
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not start: {self.log.read_text()[-2000:]}")

    def workers(self, running_only=False):
        """List worker process ids (children of the master), optionally only busy ones."""
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            fields = read_stat(stat)
            if fields and int(fields[1]) == self.process.pid and (
                    not running_only or any(read_stat(task)[:1] == ["R"]
                                            for task in stat.parent.glob("task/*/stat"))):
                found.append(int(stat.parent.name))  # busy: a request thread is running
        return found

    def serving(self):
        """List busy workers that hold a client's connection: in the middle of a request."""
        # A busy worker without one may be a replacement still importing the app.
        held = established_sockets(self.port)
        return [pid for pid in self.workers(running_only=True) if held & open_sockets(pid)]

    def wait_for_workers(self, count):
        """Wait until the master has `count` workers again and one of them answers."""
        deadline = time.monotonic() + 120
        while len(self.workers()) < count and time.monotonic() < deadline:
            time.sleep(0.1)
        self.wait_until_up()

    def stop(self):
        """Stop gunicorn gracefully and wait for it."""
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)
