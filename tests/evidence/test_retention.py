import os
from datetime import date

import pytest

from consent.evidence import archive
from consent.evidence.finalise import finalise
from consent.evidence.retention import cutoff
from consent.kernel import clock

from conftest import submit


@pytest.mark.slow
def test_purge_removes_only_consents_past_retention(app, db, runner, monkeypatch):
    old = submit(app, db, last_name="Old", signed_name="Ada Old")
    finalise(db, app.config, old["id"])
    db.execute("update submissions set treatment_date = '2015-01-10' where id = ?", [old["id"]])
    new = submit(app, db, last_name="New", signed_name="Ada New")
    finalise(db, app.config, new["id"])
    old_file = app.config["ARCHIVE_DIR"] + "/" + archive.entry(db, old["id"])["path"]
    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert "Would purge 1 consents" in dry.output and db["submissions"].count == 2
    result = runner.invoke(args=["retention", "purge"])
    assert result.exit_code == 0 and "Purged 1 consents" in result.output
    assert [row["id"] for row in db["submissions"].rows] == [new["id"]]
    assert archive.entry(db, old["id"]) is None and archive.entry(db, new["id"])
    assert not os.path.exists(old_file)
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0  # chain bridges the gap
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    purges = [r for r in db["audit"].rows if r["action"] == "retention_purge"]
    assert [r["submission_id"] for r in purges] == [old["id"]]


@pytest.mark.slow  # seals: the shared sealed instance, or records of its own
def test_archive_rows_still_cannot_be_deleted_without_a_purge(app, db):
    row = submit(app, db)
    finalise(db, app.config, row["id"])
    with pytest.raises(Exception, match="write-once"):
        db.execute("delete from archive")


@pytest.mark.parametrize("today, expected", [(date(2026, 11, 23), date(2016, 11, 23)),
                                             (date(2028, 2, 29), date(2018, 3, 1))])
def test_cutoff(today, expected):
    assert cutoff(today, 10) == expected


def test_clock_is_not_needed_for_cutoff():
    assert clock.years_between(cutoff(date(2026, 1, 1), 10), date(2026, 1, 1)) == 10
