"""The review queue and search with 100,000 submissions in the database."""
import json
import random
import tempfile
from datetime import date, timedelta
from pathlib import Path

from consent.kernel.storage import connect, migrate
from consent.review import queue as lists

from . import summary, timed

TODAY = date(2026, 12, 1)


def fill(db, count):
    """Insert count submissions spread over ten years; about 40 wait for review."""
    chance = random.Random(7)
    evaluation = json.dumps({"flags": [{"severity": "review"}], "status": "needs_review"})
    answers = json.dumps({"areas": ["face"]})
    rows = []
    for n in range(count):
        day = TODAY - timedelta(days=chance.randrange(3650))
        waiting = n % 2500 == 0
        rows.append({"id": f"s{n:07d}", "created_at": f"{day}T10:00:00+00:00",
                     "first_name": "Pat", "last_name": f"Patient{n}",
                     "name_key": f"pat patient{n}", "date_of_birth": "1980-01-01",
                     "treatment": "microneedling", "treatment_date": day.isoformat(),
                     "answers": answers, "status": "needs_review" if waiting else "approved",
                     "evaluation": evaluation})
    db["submissions"].insert_all(rows, batch_size=5000)


def run(count=100_000):
    """Print queue and search timings and the query plans they use."""
    path = Path(tempfile.mkdtemp(prefix="consent-queue-")) / "consent.sqlite"
    migrate(str(path))
    db = connect(str(path))
    fill(db, count)
    durations = timed(lambda: lists.queue(db, TODAY), 50)
    size = len(lists.queue(db, TODAY))
    print(f"queue: {count:,} submissions, {size} rows listed: {summary(durations)}")
    durations = timed(lambda: lists.search(db, TODAY, "patient4242"), 20)
    print(f"queue: search by name among {count:,}: {summary(durations)}")
    for label, sql, args in (
            ("waiting", "select id from submissions where status = ? order by created_at",
             ["needs_review"]),
            ("today", "select id from submissions where treatment_date = ? and status != ?",
             [TODAY.isoformat(), "needs_review"])):
        plan = " / ".join(row[3] for row in db.execute(f"explain query plan {sql}", args))
        print(f"queue: plan for {label}: {plan}")


if __name__ == "__main__":
    run()
