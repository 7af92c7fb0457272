"""Trusted time after the fact: the queue of unstamped seals, and B-LTA renewal."""
import datetime
import logging

from ..kernel import clock
from . import archive, checkpoints, verified, witness
from .seal import keys as seal_keys, seal, seal_check, timestamps

log = logging.getLogger(__name__)


def queue(db, submission_id):
    """Remember a consent sealed without trusted time, for `archive timestamp`."""
    db["timestamp_queue"].insert({"submission_id": submission_id,
                                  "queued_at": clock.iso(clock.now())}, ignore=True)


def queued(db):
    """List the consents waiting for a timestamp, oldest first."""
    return [row["submission_id"] for row in db["timestamp_queue"].rows_where(
        order_by="queued_at")]


def stamp(db, config, submission_id):
    """Append validation data and a document timestamp to a consent's newest file."""
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    entry = archive.entry(db, submission_id)
    data = archive.newest_file(db, config["ARCHIVE_DIR"], entry).read_bytes()
    return archive.add_revision(db, config["ARCHIVE_DIR"], entry,
                                seal.add_document_timestamp(data, keys, tsa))


def each(db, config, submission_ids, done_with=None):
    """Stamp each consent; return (stamped, failed). A TSA failure leaves it for later."""
    if not config.get("TSA_URL"):
        raise timestamps.NoTsa("TSA_URL is not set: no time-stamping authority to ask")
    done = failed = 0
    for submission_id in submission_ids:
        try:
            stamp(db, config, submission_id)
        except Exception as error:  # noqa: BLE001 - the TSA may be down: keep the rest going
            log.warning("Could not timestamp %s (%s)", submission_id, type(error).__name__)
            failed += 1
            continue
        if done_with:
            done_with(submission_id)
        done += 1
    return done, failed


def timestamp_queued(db, config):
    """Timestamp every queued consent that is still archived; return (done, failed)."""
    def unqueue(submission_id):
        db["timestamp_queue"].delete_where("submission_id = ?", [submission_id])
    waiting = [sid for sid in queued(db) if archive.entry(db, sid)]
    return each(db, config, waiting, unqueue)


def anchor_in_time(db, config):
    """Write a checkpoint of the chains' heads with the TSA's token; tell if it worked."""
    try:
        checkpoints.write(db, seal_keys.from_config(config), config["CHECKPOINT_DIR"],
                          tsa=timestamps.from_config(config),
                          witnessed=witness.configured(config))
    except Exception as error:  # noqa: BLE001 - the TSA may be down: the next run anchors
        log.warning("Could not timestamp a checkpoint (%s)", type(error).__name__)
        return False
    return True


def due(db, config, within_days):
    """List timestamped consents whose newest timestamp certificate expires within the days."""
    keys, tsa = seal_keys.from_config(config), timestamps.from_config(config)
    limit = (clock.now().date() + datetime.timedelta(days=within_days)).isoformat()
    known, waiting, found = verified.load(config["CHECKPOINT_DIR"], keys), set(queued(db)), []
    for entry in db["archive"].rows_where(order_by="seq"):
        sid = entry["submission_id"]
        if sid in waiting:
            continue
        facts = known.get(sid) or vars(seal_check.check(
            archive.newest_file(db, config["ARCHIVE_DIR"], entry).read_bytes(), keys, tsa))
        if facts["level"] != "B-B" and facts["expires"] and facts["expires"] <= limit:
            found.append(sid)
    return found


def refresh(db, config, within_days):
    """Add a document timestamp to every consent due for renewal; return (done, failed)."""
    return each(db, config, due(db, config, within_days))
