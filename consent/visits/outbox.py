"""E-mail to patients: queued in the request, sent later over SMTP with STARTTLS, retried.

A message is a template the clinic may override in instance/mail/. Its context holds only
the clinic's name and phone, a link and its expiry: no health data can reach a subject or
body. A sent message's body (it holds a link) is cleared; the row stays as the record.
"""
import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from ..kernel import clock
from ..kernel.languages import CLINIC, isolated, spoken_in, translator
from ..kernel.software import TEMPLATES
from ..kernel.storage import immediate
from ..kernel.tokens import message_token, public_link

LEASE = timedelta(minutes=10)  # a message being sent is not picked up by another sender
MAX_BACKOFF = timedelta(hours=6)
# Where a queued body's link goes: the link itself is made only as the message is sent.
LINK = "[[link]]"


def environment(instance_path):
    """Load message templates: the clinic's own first, then the shipped ones."""
    return Environment(loader=ChoiceLoader([
        FileSystemLoader(str(Path(instance_path) / "mail")),
        FileSystemLoader(str(TEMPLATES / "mail"))]),
        undefined=StrictUndefined, keep_trailing_newline=True)


def render(config, instance_path, kind, link, expires=None, language=CLINIC, **facts):
    """Return (subject, body) of a message: first line "Subject: ...", then the body."""
    if expires:
        facts["expires"] = spoken_in(language, clock.iso(expires), config["CLINIC_TIMEZONE"])
    text = environment(instance_path).get_template(f"{kind}.txt").render(
        clinic_name=config["CLINIC_NAME"], clinic_phone=isolated(config["CLINIC_PHONE"], language),
        link=link, _=translator(language).gettext, **facts)
    first, _, body = text.partition("\n")
    return first.removeprefix("Subject:").strip(), body.lstrip("\n")


def queue(db, to_address, subject, body, visit_id=None):
    """Add a message to the outbox, due now, and return its id; the caller may hold the lock."""
    now = clock.iso(clock.now())
    return db["outbox"].insert({"to_address": to_address, "subject": subject, "body": body,
                                "created_at": now, "next_attempt_at": now, "attempts": 0,
                                "visit_id": visit_id}).last_pk


def claim(db, limit=20):
    """Take due messages for this sender, leasing them so no other sender takes them."""
    now = clock.now()
    with immediate(db):
        rows = list(db["outbox"].rows_where("sent_at is null and next_attempt_at <= ?",
                                            [clock.iso(now)], order_by="id", limit=limit))
        for row in rows:
            db["outbox"].update(row["id"], {"next_attempt_at": clock.iso(now + LEASE)})
    return rows


def message(config, row):
    """Build the e-mail for an outbox row."""
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = config["MAIL_FROM"], row["to_address"], \
        row["subject"]
    # RFC 5322 requires Date; spam filters score a missing Date or Message-ID.
    mail["Date"] = formatdate(clock.now().timestamp(), usegmt=True)
    mail["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2].strip("> ")
                                    or None)
    link = public_link(config, "/visit", message_token(config["SECRET_KEY"], row["id"]))
    mail.set_content(row["body"].replace(LINK, link))
    return mail


def connect(config):
    """Open an SMTP connection, upgraded with STARTTLS and logged in when configured."""
    smtp = smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20)
    if config["MAIL_STARTTLS"]:
        smtp.starttls(context=ssl.create_default_context(cafile=config["MAIL_CA_FILE"]))
    if config["MAIL_USERNAME"]:
        smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
    return smtp


def failed(db, row, error):
    """Put a message back for later, waiting twice as long after each failure."""
    wait = min(timedelta(minutes=2 ** row["attempts"]), MAX_BACKOFF)
    db["outbox"].update(row["id"], {"attempts": row["attempts"] + 1,
                                    "next_attempt_at": clock.iso(clock.now() + wait),
                                    "last_error": type(error).__name__})


def send_due(db, config):
    """Send every due message; return (sent, failed) counts. Nothing is lost on failure."""
    rows, sent = claim(db), 0
    if not rows:
        return 0, 0
    try:
        smtp = connect(config)
    except (OSError, smtplib.SMTPException) as error:
        for row in rows:
            failed(db, row, error)
        return 0, len(rows)
    with smtp:
        for row in rows:
            try:
                smtp.send_message(message(config, row))
            except (OSError, smtplib.SMTPException) as error:
                failed(db, row, error)
                continue
            db["outbox"].update(row["id"], {"sent_at": clock.iso(clock.now()), "body": "",
                                            "attempts": row["attempts"] + 1})
            sent += 1
    return sent, len(rows) - sent


def waiting(db):
    """Count messages not yet sent, and the oldest one's age in minutes."""
    row = next(db.query("select count(*) n, min(created_at) oldest from outbox "
                        "where sent_at is null"))
    if not row["n"]:
        return 0, 0
    age = clock.now() - datetime.fromisoformat(row["oldest"])
    return row["n"], int(age.total_seconds() // 60)
