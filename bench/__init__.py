"""Benchmarks run by `make bench`; each prints figures measured in this run."""
import statistics
import time


def timed(fn, repeat):
    """Call fn repeat times and return the durations in seconds."""
    durations = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        durations.append(time.perf_counter() - start)
    return durations


def summary(durations, unit=1e3, suffix="ms"):
    """Format median and p95 of durations."""
    ordered = sorted(durations)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return (f"median {statistics.median(ordered) * unit:.3f} {suffix}, "
            f"p95 {p95 * unit:.3f} {suffix}, n={len(ordered)}")


def countersigned(db, submission_id, practitioner="bench.nurse"):
    """Countersign a stored consent as a practitioner (the rows only; sealing is timed apart)."""
    from consent.kernel import clock
    from consent.practice import consents
    from consent.staff import accounts
    if not accounts.exists(db, practitioner):
        accounts.create(db, practitioner, "practitioner", "bench password 1234")
    consents.countersign(db, submission_id, practitioner, clock.today(), "pin",
                         identity_checked=True, discussed=True, capacity_confirmed=True,
                         interpreter="none")
    return submission_id
