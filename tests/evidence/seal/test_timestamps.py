"""Trusted time from a real local TSA: B-LT at sealing, the queue, B-LTA renewal, verify."""
import json
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from consent.evidence import archive, checkpoints, stamping, verified
from consent.evidence.seal import keys, seal_check, timestamps
from consent.kernel.storage import connect

from conftest import (accessibility_errors, assert_pdf_a_3b, config_for, countersign,
                      enrolled_client, make_app, valid_form)
from local_tsa import LocalTsa


@pytest.fixture(scope="module")
def tsa(tmp_path_factory):
    """Serve a time-stamping authority on 127.0.0.1 for this module."""
    server = LocalTsa(tmp_path_factory.mktemp("tsa"))
    yield server
    server.stop()


@pytest.fixture
def stamped_app(tmp_path, tsa):
    """An instance that asks the local TSA for the time of every seal."""
    return make_app(config_for(tmp_path, TSA_URL=tsa.url, TSA_ROOTS=str(tsa.roots)))


def cleared(app, answers=None):
    """Seal one cleared, countersigned consent from the tablet form; return (db, its id)."""
    enrolled_client(app).post("/", data=valid_form(swim_within_24h="yes", **(answers or {})))
    db = connect(app.config["DATABASE"])
    sid = next(db["submissions"].rows_where(order_by="created_at desc"))["id"]
    with app.app_context():
        countersign(app, db, sid)
    return db, sid


def newest_bytes(app, db, submission_id):
    """Return the newest archived revision of a consent."""
    entry = archive.entry(db, submission_id)
    return (Path(app.config["ARCHIVE_DIR"]) / archive.newest(db, entry)).read_bytes()


def verify(app, *args):
    """Run `archive verify`; return (exit code, output)."""
    result = app.test_cli_runner().invoke(args=["archive", "verify", *args])
    return result.exit_code, result.output


@pytest.mark.slow
def test_a_seal_carries_trusted_time_and_validation_data(stamped_app):
    db, sid = cleared(stamped_app)
    data = newest_bytes(stamped_app, db, sid)
    found = seal_check.check(data, keys.from_config(stamped_app.config),
                             timestamps.from_config(stamped_app.config))
    assert found.problems == [] and found.level == "B-LT"
    assert_pdf_a_3b(data)
    assert found.expires == "2040-01-01"  # the TSA certificate's end, when renewal is due
    assert stamping.queued(db) == []
    code, output = verify(stamped_app)
    assert code == 0, output
    assert "PAdES levels: B-LT 1" in output
    assert f"Earliest renewal: 2040-01-01 (consent {sid})" in output
    assert f"consent {sid}: B-LT, renew by 2040-01-01" in verify(stamped_app, "--levels")[1]


@pytest.mark.slow
def test_refresh_adds_a_document_timestamp_and_the_file_stays_pdfa(stamped_app):
    db, sid = cleared(stamped_app)
    runner = stamped_app.test_cli_runner()
    assert "Refreshed 0" in runner.invoke(args=["archive", "refresh"]).output  # not due yet
    result = runner.invoke(args=["archive", "refresh", "--within", "9000"])
    assert result.exit_code == 0 and "Refreshed 1 consents" in result.output, result.output
    entry = archive.entry(db, sid)
    assert archive.newest(db, entry).endswith(".ts1.pdf")
    original = (Path(stamped_app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()
    data = newest_bytes(stamped_app, db, sid)
    assert data.startswith(original)  # an incremental update: the sealed bytes untouched
    assert seal_check.check(data, keys.from_config(stamped_app.config),
                            timestamps.from_config(stamped_app.config)).level == "B-LTA"
    assert_pdf_a_3b(data)
    code, output = verify(stamped_app)
    assert code == 0 and "PAdES levels: B-LTA 1" in output, output


@pytest.mark.slow
def test_each_renewal_keeps_the_record_accessible_but_for_its_own_field(stamped_app, tmp_path):
    db, sid = cleared(stamped_app)
    runner = stamped_app.test_cli_runner()
    for _ in range(2):  # the second timestamp covers the first
        result = runner.invoke(args=["archive", "refresh", "--within", "9000"])
        assert "Refreshed 1 consents" in result.output, result.output
    data = newest_bytes(stamped_app, db, sid)
    assert archive.newest(db, archive.entry(db, sid)).endswith(".ts2.pdf")
    (tmp_path / "renewed.pdf").write_bytes(data)
    # The seal permits no change but validation data, so a timestamp's field cannot join the
    # structure tree (docs/decisions.md, "Renewals"): outloud's FRM-003 reports exactly those.
    assert accessibility_errors([tmp_path / "renewed.pdf"], skip=["FRM-003"]) == ("", "")
    root = PdfReader(BytesIO(data)).trailer["/Root"]
    outside = [str(f.get_object()["/T"]) for f in root["/AcroForm"]["/Fields"]
               if "/StructParent" not in f.get_object()]
    assert len(outside) == 2 and all(name.startswith("Timestamp") for name in outside)
    assert_pdf_a_3b(data)


@pytest.mark.slow
def test_a_tsa_that_is_down_never_stops_a_consent_and_the_queue_catches_up(tmp_path):
    tsa = LocalTsa(tmp_path / "tsa")
    url, roots = tsa.url, str(tsa.roots)
    tsa.stop()  # down when the patient signs
    app = make_app(config_for(tmp_path / "i", TSA_URL=url, TSA_ROOTS=roots, TSA_TIMEOUT=2))
    db, sid = cleared(app)
    assert archive.entry(db, sid) is not None and stamping.queued(db) == [sid]
    code, output = verify(app)
    assert code == 0 and "B-B 1" in output and "`flask archive timestamp` adds it" in output
    result = app.test_cli_runner().invoke(args=["archive", "timestamp"])
    assert result.exit_code == 1 and "1 still queued" in result.output
    back = LocalTsa(tmp_path / "tsa2")  # the TSA returns (a new server, same kind)
    try:
        app.config.update(TSA_URL=back.url, TSA_ROOTS=str(back.roots))
        result = app.test_cli_runner().invoke(args=["archive", "timestamp"])
        assert result.exit_code == 0 and "Timestamped 1 consents" in result.output
    finally:
        back.stop()
    assert stamping.queued(db) == []
    code, output = verify(app)
    assert code == 0 and "PAdES levels: B-LTA 1" in output, output


def test_timestamping_without_a_tsa_is_a_clear_error(app):
    result = app.test_cli_runner().invoke(args=["archive", "timestamp"])
    assert result.exit_code == 1 and "TSA_URL is not set" in result.output
    assert "Traceback" not in result.output


@pytest.mark.slow
def test_a_timestamp_from_an_untrusted_authority_is_reported(stamped_app):
    db, sid = cleared(stamped_app)
    stamped_app.config["TSA_ROOTS"] = None
    code, output = verify(stamped_app, "--full")
    assert code == 1 and f"({sid}): the seal's timestamp does not hold" in output


@pytest.mark.slow
def test_a_revision_that_rewrites_the_sealed_bytes_is_caught(stamped_app):
    db, sid = cleared(stamped_app)
    stamped_app.test_cli_runner().invoke(args=["archive", "refresh", "--within", "9000"])
    entry = archive.entry(db, sid)
    path = Path(stamped_app.config["ARCHIVE_DIR"]) / archive.newest(db, entry)
    data = bytearray(path.read_bytes())
    data[100] ^= 1  # inside the sealed revision
    path.chmod(0o600)
    path.write_bytes(bytes(data))
    code, output = verify(stamped_app)
    assert code == 1 and "file content differs from the archived hash" in output


@pytest.mark.slow
def test_a_removed_revision_is_caught(stamped_app):
    db, sid = cleared(stamped_app)
    stamped_app.test_cli_runner().invoke(args=["archive", "refresh", "--within", "9000"])
    path = Path(stamped_app.config["ARCHIVE_DIR"]) / archive.newest(db, archive.entry(db, sid))
    path.unlink()
    code, output = verify(stamped_app)
    assert code == 1 and f"file missing: {path.relative_to(stamped_app.config['ARCHIVE_DIR'])}" \
        in output


@pytest.mark.slow
def test_later_runs_validate_only_new_seals_and_full_validates_all(stamped_app):
    db, first = cleared(stamped_app)
    assert "1 seals validated this run" in verify(stamped_app)[1]
    cleared(stamped_app, {"last_name": "Hopper", "signed_name": "Ada Hopper"})
    assert "1 seals validated this run" in verify(stamped_app)[1]  # only the new one
    assert "0 seals validated this run" in verify(stamped_app)[1]
    assert "2 seals validated this run" in verify(stamped_app, "--full")[1]


@pytest.mark.slow
def test_a_forged_record_of_verified_seals_is_ignored(stamped_app):
    db, sid = cleared(stamped_app)
    verify(stamped_app)
    path = Path(stamped_app.config["CHECKPOINT_DIR"]) / verified.FILE
    path.write_text(path.read_text().replace('"B-LT"', '"B-LTA"'))
    code, output = verify(stamped_app)
    assert code == 0 and "B-LT 1" in output and "1 seals validated this run" in output


@pytest.mark.slow
def test_an_edited_row_is_caught_without_revalidating_the_seal(stamped_app):
    db, sid = cleared(stamped_app)
    verify(stamped_app)
    db.execute("update submissions set treatment_date = '2027-01-01' where id = ?", [sid])
    db.conn.commit()
    code, output = verify(stamped_app)
    assert code == 1 and "0 seals validated this run" in output
    assert f"({sid}): rows differ from the sealed record: submission.treatment_date" in output


@pytest.mark.slow
def test_the_parallel_check_finds_what_the_serial_one_finds(stamped_app, monkeypatch):
    db, sid = cleared(stamped_app)
    path = Path(stamped_app.config["ARCHIVE_DIR"]) / archive.entry(db, sid)["path"]
    config = stamped_app.config
    seal_keys, tsa = keys.from_config(config), timestamps.from_config(config)
    monkeypatch.setattr(verified, "PARALLEL_FROM", 0)
    serial = verified.inspect_all([str(path)] * 3, seal_keys, tsa, workers=1)
    parallel = verified.inspect_all([str(path)] * 3, seal_keys, tsa, workers=2)
    assert [(c.level, c.problems, r) for c, r in serial] == \
        [(c.level, c.problems, r) for c, r in parallel]


@pytest.mark.slow
def test_only_evidence_may_follow_the_seal(stamped_app):
    db, sid = cleared(stamped_app)
    from pypdf import PdfWriter
    data = newest_bytes(stamped_app, db, sid)
    writer = PdfWriter(BytesIO(data), incremental=True)
    writer.add_metadata({"/Title": "Edited after sealing"})
    out = BytesIO()
    writer.write(out)
    found = seal_check.check(out.getvalue(), keys.from_config(stamped_app.config),
                             timestamps.from_config(stamped_app.config))
    assert found.problems == ["bytes were added after sealing"]  # the seal itself holds


@pytest.mark.slow
def test_checkpoints_carry_trusted_time_and_a_stripped_token_is_caught(stamped_app):
    cleared(stamped_app)
    result = stamped_app.test_cli_runner().invoke(args=["archive", "timestamp"])
    assert result.exit_code == 0 and "Checkpoint of the chains timestamped" in result.output
    log = Path(stamped_app.config["CHECKPOINT_DIR"]) / checkpoints.LOG
    lines = log.read_text().splitlines()
    assert "tst" in json.loads(lines[-1])
    assert verify(stamped_app)[0] == 0
    forged = json.loads(lines[-1])
    forged["tst"] = json.loads(lines[-1])["tst"][:-8] + "AAAAAAA="  # a damaged token
    log.write_text("\n".join(lines[:-1] + [json.dumps(forged, sort_keys=True)]) + "\n")
    code, output = verify(stamped_app)
    assert code == 1 and f"checkpoint {len(lines)}: its timestamp does not hold" in output
