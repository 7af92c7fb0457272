"""Questionnaire latency through gunicorn, and the 60-second clinic load."""
import statistics
import sys
import tempfile
from pathlib import Path

from consent.kernel.storage import connect

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
    devices, doctors, practitioners = load.setup_people(db, 21, 5, PASSWORD, 4)
    server = Gunicorn(instance, workers=4)
    try:
        tablet, stats = load.Browser(server.url, {"consent_kiosk": devices[-1]}), load.Stats()
        flagged = load.patient_forms(valid_form, flagged_every=1)
        cleared = load.patient_forms(valid_form, flagged_every=10**9)
        for number in range(200):
            stats.add("get", *tablet.request("/")[::2])
        for number in range(100):  # interleaved, so noise hits both alike; neither makes a PDF
            stats.add("post_flagged", *tablet.form_post("/", flagged(10**7 + number))[::2])
            stats.add("post_cleared", *tablet.form_post("/", cleared(2 * 10**7 + number))[::2])
        nurse = load.Browser(server.url)
        load.log_in(nurse, *practitioners[-1], "/today")
        for sid in load.TO_CONSENT.findall(nurse.request("/today")[1])[:30]:
            stats.add("countersign", *nurse.form_post(f"/practice/{sid}",
                                                      load.COUNTERSIGNED)[::2])
        print(f"http: GET / {latency(stats, 'get')}")
        print(f"http: POST / flagged {latency(stats, 'post_flagged')}")
        print(f"http: POST / cleared {latency(stats, 'post_cleared')}")
        ratio = statistics.median(stats.times["post_cleared"]) / statistics.median(
            stats.times["post_flagged"])
        print(f"http: POST / cleared / flagged = {ratio:.2f} (the same work: about 1)")
        print(f"http: POST countersign (with PDF) {latency(stats, 'countersign')}")
        busy = load.run(server.url, load_seconds, devices[:20], doctors,
                        load.patient_forms(valid_form), practitioners[:3])
    finally:
        server.stop()
    for kind in ("submit_cleared", "submit_flagged", "decide", "countersign", "treatment"):
        p50, p95 = busy.percentiles(kind)
        print(f"load ({load_seconds:.0f} s, 20 tablets, 5 doctors, 3 practitioners, 4 workers): "
              f"{kind} "
              f"n={len(busy.times.get(kind, []))} p50 {p50 * 1e3:.0f} ms p95 {p95 * 1e3:.0f} ms")
    print(f"load: server errors {busy.server_errors()}, 'database is locked' in log: "
          f"{'database is locked' in server.log.read_text()}")


if __name__ == "__main__":
    run()
