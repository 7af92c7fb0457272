"""Load and crash tests against gunicorn on 127.0.0.1, bounded in time."""
import os
import random
import signal
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from bench import load
from bench.serve import Gunicorn, prepare_instance
from consent import create_app
from consent.evidence import documents
from consent.evidence.finalise import pending
from consent.instance import startup_checks
from consent.kernel.storage import connect

from conftest import PASSWORD, valid_form

pytestmark = [pytest.mark.slow, pytest.mark.server]
LOAD_SECONDS = float(os.environ.get("CONSENT_LOAD_SECONDS", "15"))


@pytest.fixture
def instance(tmp_path, monkeypatch):
    folder = prepare_instance(tmp_path / "instance")
    monkeypatch.setenv("CONSENT_INSTANCE", str(folder))
    return folder


def check_archive(instance):
    """Run the start-up checks on the instance (temp-file sweep); return an app and runner."""
    app = create_app()
    startup_checks(app.config)
    runner = app.test_cli_runner()
    assert not list(Path(app.config["ARCHIVE_DIR"]).rglob("*.tmp")), "temp files left"
    return app, runner


def interrupted(stats, db):
    """List the records a kill left stored but unsealed: cut, and nobody finishing them."""
    unsealed = {record: record.removesuffix(documents.TREATMENT) for record in pending(db)}
    left = stats.left_by_a_cut(unsealed.values())
    return [record for record, patient in unsealed.items() if patient in left]


def every_kind_done(stats):
    """Tell whether the load has decided, countersigned and treated at least once each."""
    return all(stats.count(kind, 302) for kind in ("decide", "countersign", "treatment"))


def cut_requests(stats):
    """Count the storing requests whose connection dropped."""
    return stats.count("submit_cleared", 0) + finalising(stats, 0)


def finalising(stats, status):
    """Count the countersignatures and treatment records that ended with this status."""
    return stats.count("countersign", status) + stats.count("treatment", status)


def test_twenty_tablets_five_doctors_and_three_practitioners(instance):
    db = connect(str(instance / "consent.sqlite"))
    devices, doctors, practitioners = load.setup_people(db, 20, 5, PASSWORD, 3)
    server = Gunicorn(instance, workers=4)
    try:
        stats = load.run(server.url, LOAD_SECONDS, devices, doctors,
                         load.patient_forms(valid_form), practitioners, until=every_kind_done)
    finally:
        server.stop()
    submitted = stats.count("submit_cleared", 302) + stats.count("submit_flagged", 302)
    assert stats.server_errors() == 0, stats.statuses
    assert "database is locked" not in server.log.read_text()
    assert submitted > 0 and stats.count("decide", 302) > 0
    assert stats.count("countersign", 302) > 0 and stats.count("treatment", 302) > 0
    assert set(stats.statuses["countersign"] + stats.statuses["treatment"]) <= {302, 409}
    assert db["submissions"].count == submitted  # every accepted submission stored
    assert db["consents"].count == stats.count("countersign", 302)  # and every countersignature
    assert db["treatments"].count == stats.count("treatment", 302)
    app, runner = check_archive(instance)
    assert pending(db) == []  # every countersigned consent and treatment has its PDF
    assert db["archive"].count == db["consents"].count + db["treatments"].count
    result = runner.invoke(args=["archive", "verify"])
    assert result.exit_code == 0, result.output
    for kind in ("submit_cleared", "submit_flagged", "decide", "countersign", "treatment"):
        p50, p95 = stats.percentiles(kind)
        print(f"{kind}: n={len(stats.times.get(kind, []))} p50={p50 * 1e3:.0f} ms "
              f"p95={p95 * 1e3:.0f} ms")


def test_kill_9_during_finalisation_loses_nothing(instance):
    db = connect(str(instance / "consent.sqlite"))
    devices, _, practitioners = load.setup_people(db, 2, 0, PASSWORD, 2)
    server = Gunicorn(instance, workers=2)
    stats, stop = load.Stats(), threading.Event()
    forms = load.patient_forms(valid_form, flagged_every=10**9)  # all cleared: all countersigned
    people = [threading.Thread(target=load.tablet, args=(server.url, d, forms, stats, stop))
              for d in devices]
    people += [threading.Thread(target=load.practitioner, args=(server.url, *p, stats, stop))
               for p in practitioners]
    seed = random.randrange(10**6)
    chance = random.Random(seed)
    kills = 0

    def kill_one():
        nonlocal kills
        busy = server.serving()  # in the middle of a request, rendering or sealing
        if busy:
            os.kill(chance.choice(busy), signal.SIGKILL)
            kills += 1
            server.wait_for_workers(2)  # the master boots a replacement

    def until(condition, seconds=180, action=None):
        deadline = time.monotonic() + seconds
        while not condition() and time.monotonic() < deadline:
            time.sleep(chance.uniform(0.05, 0.4))
            if action:
                action()

    try:
        for thread in people:
            thread.start()
        # Wait for conditions, not a clock: on a busy machine a kill can land between requests.
        until(lambda: kills >= 8 and cut_requests(stats) or kills >= 24, action=kill_one)
        # Then aim at finalising: kill a worker while a practitioner's request is under way
        # (with two workers, the one rendering and sealing it at least half the time), until
        # a record is left stored but not sealed.
        until(lambda: interrupted(stats, db) or kills >= 48,
              action=lambda: stats.under_way() and kill_one())
        left_unsealed = interrupted(stats, db)
        # Then let the survivors work: the archive must grow again after the crashes.
        finalised = finalising(stats, 302)
        until(lambda: finalising(stats, 302) > finalised)
    finally:
        stop.set()
        for thread in people:
            thread.join(timeout=120)
        server.stop()
    dropped = cut_requests(stats)
    assert kills >= 4 and dropped >= 1, f"seed {seed}: {kills} kills, {dropped} cut requests"
    assert left_unsealed, f"seed {seed}: {kills} kills, none mid-seal, {stats.statuses}"
    assert finalising(stats, 302) > finalised, \
        f"seed {seed}: nothing finalised after the kills, {stats.statuses}"
    app, runner = check_archive(instance)
    verify = runner.invoke(args=["archive", "verify"])
    assert verify.exit_code == 0, f"seed {seed}: {verify.output}"
    unsealed = pending(db)  # the next treatment record seals its consent on the way
    retry = runner.invoke(args=["archive", "retry"])
    assert retry.exit_code == 0 and f"Finalised {len(unsealed)}" in retry.output
    assert pending(db) == []
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    assert db["archive"].count == db["consents"].count + db["treatments"].count > 0
    print(f"seed {seed}: {kills} workers killed, {dropped} requests cut "
          f"({finalising(stats, 0)} countersigning or recording a treatment), "
          f"{len(left_unsealed)} left unsealed by a kill, {len(unsealed)} still so at the end")


def test_two_stalled_clients_do_not_stall_the_service(instance):
    server = Gunicorn(instance, workers=2)
    stalled = []
    try:
        for _ in range(2):  # each sends half a request and then nothing, like a slow link
            sock = socket.create_connection(("127.0.0.1", server.port))
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            stalled.append(sock)
        time.sleep(0.5)
        start = time.monotonic()
        with urllib.request.urlopen(server.url + "/login", timeout=5) as response:
            assert response.status == 200
        print(f"answered in {(time.monotonic() - start) * 1e3:.0f} ms beside 2 stalled clients")
    finally:
        for sock in stalled:
            sock.close()
        server.stop()


def test_a_killed_worker_is_forked_again_and_what_it_was_writing_goes(instance):
    server = Gunicorn(instance, workers=1)
    try:
        master = server.process.pid
        # The master has loaded the app (WeasyPrint's Pango is mapped), yet holds no
        # database, token or archive file a worker could inherit.
        assert "libpango" in Path(f"/proc/{master}/maps").read_text()
        held = [os.readlink(fd) for fd in Path(f"/proc/{master}/fd").iterdir()]
        assert not [path for path in held if str(instance) in path and
                    not path.endswith("gunicorn.log")], held
        worker = server.workers()[0]
        month = instance / "archive" / "2026" / "12"
        month.mkdir(parents=True, exist_ok=True)
        half_written = month / f".x.pdf.ab12.{worker}.tmp"
        half_written.write_bytes(b"%PDF-1.7 cut short")
        os.kill(worker, signal.SIGKILL)
        server.wait_for_workers(1)
        deadline = time.monotonic() + 60
        while half_written.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not half_written.exists()
        assert f"Removed 1 temp files left by stopped worker {worker}" in server.log.read_text()
    finally:
        server.stop()
