"""Pre-treatment consent and eligibility service.

The clinic's logic lives in plain modules here; Flask only at the edges (web/, cli/,
forms/, db.py), imported inside create_app so the domain loads without it.
"""
import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def secure_cookies(config):
    """Over HTTPS: Secure cookies under __Host- names (no other host or path can set them)."""
    if config["HTTPS"] is None:
        config["HTTPS"] = config["PUBLIC_URL"].startswith("https://")
    config["SESSION_COOKIE_SECURE"] = config.get("SESSION_COOKIE_SECURE") or config["HTTPS"]
    prefix = "__Host-" if config["SESSION_COOKIE_SECURE"] else ""
    config["SESSION_COOKIE_NAME"] = f"{prefix}session"
    config["STAFF_COOKIE"] = f"{prefix}consent_session"
    config["KIOSK_COOKIE"] = f"{prefix}consent_kiosk"


def create_app(test_config=None):
    """Create and configure an instance of the consent application."""
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import cli, db, web
    from .instance import PLACEHOLDERS, served_address

    # CONSENT_INSTANCE points gunicorn at another instance folder (tests, a second site).
    app = Flask(__name__, instance_relative_config=True,
                instance_path=os.environ.get("CONSENT_INSTANCE") or None)
    instance = Path(app.instance_path)
    app.config.from_mapping(
        SECRET_KEY=None,
        DATABASE=str(instance / "consent.sqlite"),
        ARCHIVE_DIR=str(instance / "archive"),
        SEAL_DIR=str(instance / "seal"),  # the certificate; the key is in a token
        SEAL_KEY_IN_INSTANCE=False,  # True: a PEM key in SEAL_DIR, for a demonstration
        SEAL_TOKEN_DIR=None,  # None: SoftHSM2 tokens under ~/.local/share/consent/softhsm
        CHECKPOINT_DIR=str(instance / "checkpoints"),  # better: another disk, write-once
        CHECKPOINT_MINUTES=0,  # 0: a checkpoint after every change; N: at most every N minutes
        RULES_FILE=str(PACKAGE_ROOT.parent / "rules" / "ruleset.toml"),
        REACTION_SIGNS_FILE=str(PACKAGE_ROOT.parent / "rules" / "reaction_signs.toml"),
        CLINIC_ALERT_EMAIL=None,  # an inbox someone reads: urgent reaction reports go here
        **PLACEHOLDERS,  # CLINIC_NAME, CLINIC_ADDRESS, CLINIC_PHONE: warned about until set
        CLINIC_TIMEZONE="Europe/London",
        MAX_CONTENT_LENGTH=512 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        HTTPS=None,  # None: decided by PUBLIC_URL's scheme
        STAFF_MFA=True,
        TLS_HOSTS=(),
        SESSION_IDLE_MINUTES=15,
        SESSION_MAX_HOURS=8,
        LOGIN_WINDOW_MINUTES=15,
        PIN_MAX_FAILURES=5,  # wrong PINs lock signing by PIN; password and code still sign
        LOGIN_MAX_PER_ADDRESS=50,
        # `make run` passes the HOST and PORT it serves on; config.py may name the real address.
        PUBLIC_URL=os.environ.get("CONSENT_PUBLIC_URL") or served_address(instance),
        PUBLIC_URL_KNOWN=True,
        KIOSK_IDLE_SECONDS=180,
        KIOSK_WARNING_SECONDS=30,
        THANKS_RESET_SECONDS=20,
        RETENTION_YEARS=10,
        BACKUP_RECIPIENT=None,  # the clinic's age public key; `flask backup-key` makes one
        TRUSTED_PROXIES=0,
        # Patients' own links: days they stay valid (a questionnaire link never past the
        # treatment date), and minutes of inactivity before an opened link's page is closed.
        LINK_DAYS=7,
        AFTERCARE_LINK_DAYS=30,
        PATIENT_IDLE_MINUTES=15,
        # Hours between the patient first having the information and the countersignature
        # come from the treatment catalogue; a clinic may override some here.
        COOLING_OFF_HOURS={},
        MAIL_SERVER="localhost",
        MAIL_PORT=587,
        MAIL_STARTTLS=True,  # never sent in clear: a server without STARTTLS is refused
        MAIL_CA_FILE=None,  # a private CA's certificate, if the mail server uses one
        MAIL_USERNAME=None,
        MAIL_PASSWORD=None,
        MAIL_FROM="clinic@example.invalid",
        REACTION_PHOTO_BYTES=8 * 1024 * 1024,  # a phone photo, before it is re-encoded
        # Draft translations (consent/translations/) the clinic chooses to offer before a
        # medical translator and its doctor approve them; every record made in one says so.
        PATIENT_LANGUAGES_ENABLED=(),
        # The off-host witness (docs/operations.md): an S3-compatible bucket with Object Lock
        # in compliance mode. Without it no check can detect a rollback of the whole host.
        WITNESS_BUCKET=None,
        WITNESS_ENDPOINT=None,  # None: AWS; else the provider's URL
        WITNESS_REGION=None,
        WITNESS_PREFIX="",
        WITNESS_ACCESS_KEY=None,  # None: boto3's usual places (environment, ~/.aws)
        WITNESS_SECRET_KEY=None,
        WITNESS_RETENTION_DAYS=11 * 366,  # the records' ten years, and a margin
        # Continuous replication (docs/operations.md): another bucket (no Object Lock:
        # Litestream replaces its own files), the same kinds of settings.
        REPLICA_BUCKET=None,
        REPLICA_ENDPOINT=None,
        REPLICA_REGION=None,
        REPLICA_PREFIX="",
        REPLICA_ACCESS_KEY=None,
        REPLICA_SECRET_KEY=None,
        REPLICA_SYNC_SECONDS=1,
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
    else:
        app.config.from_mapping(test_config)
    if not app.config["PUBLIC_URL"]:  # serve on loopback, but print no link that may not open
        app.config.update(PUBLIC_URL="http://127.0.0.1:5000", PUBLIC_URL_KNOWN=False)
    app.config["INSTANCE_PATH"] = app.instance_path  # the HTTPS files, for start-up checks
    os.umask(0o077)  # patient data: nothing this service writes is for other local users
    os.makedirs(app.instance_path, exist_ok=True)
    secure_cookies(app.config)
    if app.config["TRUSTED_PROXIES"]:  # behind HTTPS proxies: real client address and scheme
        # No x_host: links come from PUBLIC_URL, never from a Host a client can choose.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)

    db.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
