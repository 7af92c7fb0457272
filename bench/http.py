"""Questionnaire latency through gunicorn, and the 60-second clinic load."""
import sys
import tempfile
from pathlib import Path

from consent.storage import connect

from . import load
from .serve import Gunicorn, prepare_instance

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from conftest import PASSWORD, valid_form  # noqa: E402


def latency(stats, kind):
    """Format p50 and p99 of one kind of request."""
    ordered = sorted(stats.times[kind])
    p50, p99 = ordered[len(ordered) // 2], ordered[max(0, int(len(ordered) * 0.99) - 1)]
    return f"p50 {p50 * 1e3:.1f} ms, p99 {p99 * 1e3:.1f} ms, n={len(ordered)}"


def run(load_seconds=60):
    """Print GET/POST latency for one tablet, then the 20-tablet, 5-doctor load."""
    instance = prepare_instance(Path(tempfile.mkdtemp(prefix="consent-http-")) / "instance")
    db = connect(str(instance / "consent.sqlite"))
    devices, doctors = load.setup_people(db, 21, 5, PASSWORD)
    server = Gunicorn(instance, workers=4)
    try:
        tablet, stats = load.Browser(server.url, {"consent_kiosk": devices[-1]}), load.Stats()
        forms = load.patient_forms(valid_form, flagged_every=1)
        for number in range(200):
            stats.add("get", *tablet.request("/")[::2])
        for number in range(100):  # flagged: stored and evaluated, no PDF yet
            stats.add("post_flagged", *tablet.form_post("/", forms(10**7 + number))[::2])
        cleared = load.patient_forms(valid_form, flagged_every=10**9)
        for number in range(30):  # cleared: stored, evaluated, rendered, sealed, archived
            stats.add("post_cleared", *tablet.form_post("/", cleared(2 * 10**7 + number))[::2])
        print(f"http: GET / {latency(stats, 'get')}")
        print(f"http: POST / flagged {latency(stats, 'post_flagged')}")
        print(f"http: POST / cleared (with PDF) {latency(stats, 'post_cleared')}")
        busy = load.run(server.url, load_seconds, devices[:20], doctors,
                        load.patient_forms(valid_form))
    finally:
        server.stop()
    for kind in ("submit_cleared", "submit_flagged", "decide"):
        p50, p95 = busy.percentiles(kind)
        print(f"load ({load_seconds:.0f} s, 20 tablets, 5 doctors, 4 workers): {kind} "
              f"n={len(busy.times.get(kind, []))} p50 {p50 * 1e3:.0f} ms p95 {p95 * 1e3:.0f} ms")
    print(f"load: server errors {busy.server_errors()}, 'database is locked' in log: "
          f"{'database is locked' in server.log.read_text()}")


if __name__ == "__main__":
    run()
