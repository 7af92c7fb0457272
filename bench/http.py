"""Questionnaire latency through gunicorn, and the 60-second clinic load."""
import statistics
import sys
import tempfile
from pathlib import Path

from consent.kernel.storage import connect

from . import load
from .replication import Replication, wait_briefly
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
    replication = Replication(instance)
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
        waiting = load.TO_CONSENT.findall(nurse.request("/today")[1])[:32]
        # Blocks of eight, alternately without and with Litestream streaming the database
        # (32 in all: the load that follows finds as many consents waiting as before).
        for block in range(4):
            kind = "countersign" if block % 2 == 0 else "countersign_replicated"
            if kind == "countersign_replicated":
                replication.start()
                wait_briefly()
            for sid in waiting[block * 8:block * 8 + 8]:
                stats.add(kind, *nurse.form_post(f"/practice/{sid}", load.COUNTERSIGNED)[::2])
            replication.stop()
        print(f"http: GET / {latency(stats, 'get')}")
        print(f"http: POST / flagged {latency(stats, 'post_flagged')}")
        print(f"http: POST / cleared {latency(stats, 'post_cleared')}")
        ratio = statistics.median(stats.times["post_cleared"]) / statistics.median(
            stats.times["post_flagged"])
        print(f"http: POST / cleared / flagged = {ratio:.2f} (the same work: about 1)")
        print(f"http: POST countersign (with PDF) {latency(stats, 'countersign')}")
        cost = statistics.median(stats.times["countersign_replicated"]) / statistics.median(
            stats.times["countersign"])
        print(f"http: POST countersign, Litestream replicating "
              f"{latency(stats, 'countersign_replicated')}; p50 ratio {cost:.2f} (target: "
              "within noise)")
        replication.start()
        sampling = replication.sampling()
        busy = load.run(server.url, load_seconds, devices[:20], doctors,
                        load.patient_forms(valid_form), practitioners[:3])
        sampling.set()
    finally:
        server.stop()
        replication.close()
    lags = sorted(replication.lags)
    if lags:
        print(f"replication: replica behind the database during the load: median "
              f"{statistics.median(lags):.1f} s, max {lags[-1]:.1f} s, n={len(lags)} "
              "(the recovery point; target under 10 s)")
    for kind in ("submit_cleared", "submit_flagged", "decide", "countersign", "treatment"):
        p50, p95 = busy.percentiles(kind)
        print(f"load ({load_seconds:.0f} s, 20 tablets, 5 doctors, 3 practitioners, 4 workers): "
              f"{kind} "
              f"n={len(busy.times.get(kind, []))} p50 {p50 * 1e3:.0f} ms p95 {p95 * 1e3:.0f} ms")
    print(f"load: server errors {busy.server_errors()}, 'database is locked' in log: "
          f"{'database is locked' in server.log.read_text()}")


if __name__ == "__main__":
    run()
