import atexit
import base64
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pyotp
import pytest
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from jinja2 import FileSystemBytecodeCache
from PIL import Image, ImageDraw
from pypdf import PdfReader

from consent import create_app
from consent.evidence import archive, pdf
from consent.evidence.backup import new_identity
from consent.evidence.finalise import finalise
from consent.instance import initialise
from consent.intake import submissions
from consent.intake.catalogue import TREATMENTS
from consent.intake.questionnaire import QUESTIONS, vocabulary
from consent.intake.rules import load
from consent.intake.signature import clean_png
from consent.kernel import clock, storage
from consent.kernel.storage import connect
from consent.staff import accounts, mfa, tablets

PASSWORD = "correct horse battery"
TOOLS = Path(sys.executable).parent  # the venv's command-line tools (pdfua, outloud)

CLINIC_TZ = ZoneInfo("Europe/London")
# 23:30 UTC on 1 July is 00:30 on 2 July in London: a summer night, when the UTC date and
# the clinic's date differ, which is when date checks that use the wrong one go wrong.
FROZEN = datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc)
TODAY = FROZEN.astimezone(CLINIC_TZ).date()


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Hash passwords at argon2's cheapest in-process: the cost is not what these tests test.

    Browser and gunicorn tests run the service in its own process, with the real parameters.
    """
    real = accounts.hasher, accounts.DUMMY_HASH
    accounts.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    accounts.DUMMY_HASH = accounts.hasher.hash("not a password")
    yield
    accounts.hasher, accounts.DUMMY_HASH = real


@pytest.fixture(autouse=True, scope="session")
def seal_tokens(tmp_path_factory):
    """Keep the SoftHSM2 tokens `init` makes in this run's own folder, never the user's home:
    one folder, because a process loads the library with one configuration."""
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data"))


@pytest.fixture(autouse=True)
def clinic_clock(request, monkeypatch):
    """Start every in-process test at FROZEN; time still runs on from there."""
    if request.node.get_closest_marker("server"):  # the service runs in another process
        return
    start = time.monotonic()
    monkeypatch.setattr(clock, "now",
                        lambda: FROZEN + timedelta(seconds=time.monotonic() - start))


def signature_data_url(ink=True, size=(600, 200)):
    """Draw a signature-like zigzag (or nothing) and return it as a PNG data URL."""
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(40, 150), (120, 40), (200, 160), (300, 50), (420, 140)],
                                   fill=(17, 17, 17, 255), width=4)
    out = BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


YES_NO_FIELDS = [q.name for q in QUESTIONS.values() if q.kind == "yes_no"
                 and q.name not in ("had_previous_session", "photo_consent")
                 and q.when != ("treatment", "rf_microneedling")]
# The one patient every test starts from: Ada, with nothing to flag, in the dictionary's JSON
# encoding. The form data, the example answers and the stored row all derive from her.
PATIENT = {
    "first_name": "Ada", "last_name": "Lovelace", "date_of_birth": "1985-12-10",
    "phone": "+44 (0)20 7946-0000", "email": "ada@example.com",
    "treatment": "microneedling", "areas": ["face", "neck"], "concerns": ["ageing"],
    "skin_type": "type_2",
    "had_previous_session": "no", "last_session_date": None, "last_session_areas": [],
    "diabetes": "no", "isotretinoin": "never", "isotretinoin_stopped_date": None,
    "allergy_details": "", "medications": "", "other_conditions": "",
    "questions_for_doctor": "", "read_information": True, "answers_truthful": True,
    "aftercare_agreed": True, "alternatives_understood": True, "results_not_guaranteed": True,
    "free_to_withdraw": True, "cost_explained": True, "questions_invited": True,
    "photo_consent": "no", "guardian_name": "",
    "guardian_relationship": None, "signed_name": "Ada Lovelace",
    **{name: "no" for name in YES_NO_FIELDS}, "implanted_device": None,  # asked for RF only
}


def patient(**changes):
    """Return PATIENT's answers with some changed."""
    return {**PATIENT, **changes}


def valid_form(**overrides):
    """Return PATIENT as the tablet posts her (with a drawn signature), changed as given."""
    data = {name: "y" if value is True else value for name, value in PATIENT.items()
            if value not in (None, False, [])}
    data["signature"] = signature_data_url()
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


BACKUP_IDENTITY, BACKUP_RECIPIENT = new_identity()  # the clinic's offline backup key


def config_for(tmp_path, **extra):
    """Return a test configuration whose instance lives in tmp_path (CSRF on, as deployed)."""
    return {"TESTING": True, "SECRET_KEY": "test", "BACKUP_RECIPIENT": BACKUP_RECIPIENT,
            "DATABASE": str(tmp_path / "consent.sqlite"),
            "ARCHIVE_DIR": str(tmp_path / "archive"), "SEAL_DIR": str(tmp_path / "seal"),
            "CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
            "SEAL_KEY_IN_INSTANCE": True,  # fast and self-contained; `make run` uses a token
            **extra}


class CsrfClient(FlaskClient):
    """A test client that sends a valid CSRF token with every form it posts, like a page."""

    def csrf_token(self):
        """Return a token for this client's session, as Flask-WTF makes them."""
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", os.urandom(20).hex())
        return URLSafeTimedSerializer(self.application.secret_key,
                                      salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, **kwargs):
        data = kwargs.get("data") or {}
        if kwargs.get("method") == "POST" and isinstance(data, dict) and "csrf_token" not in data:
            kwargs["data"] = {**data, "csrf_token": self.csrf_token()}
        return super().open(*args, **kwargs)


# Compiled templates, shared by the apps of this process (keyed by each source's checksum).
COMPILED_TEMPLATES = FileSystemBytecodeCache(tempfile.mkdtemp(prefix="consent-templates-"))
atexit.register(shutil.rmtree, COMPILED_TEMPLATES.directory, True)


@functools.cache
def migrated_schema():
    """Migrate an empty database once in this process and return its path."""
    folder = Path(tempfile.mkdtemp(prefix="consent-schema-"))
    atexit.register(shutil.rmtree, folder, True)
    storage.migrate(str(folder / "consent.sqlite"))
    return folder / "consent.sqlite"


def make_app(config):
    """Create and initialise an app whose test clients post like a browser."""
    database = Path(config["DATABASE"])
    if not database.exists():
        # Copying a migrated file costs a millisecond, migrating 70: a fifth of each test's
        # set-up. tests/kernel/test_migrations.py migrates real files step by step.
        database.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copyfile(migrated_schema(), database)
    app = create_app(config)
    app.test_client_class = CsrfClient
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES  # each app would compile them anew
    initialise(app)
    return app


@pytest.fixture(autouse=True)
def instance_folder(tmp_path, monkeypatch):
    """Keep every test's instance folder (TLS files, config) out of the working tree."""
    monkeypatch.setenv("CONSENT_INSTANCE", str(tmp_path / "instance"))


@pytest.fixture
def app(tmp_path):
    yield make_app(config_for(tmp_path))


def enrolled_client(app):
    """Return a test client that is an enrolled reception tablet."""
    db = connect(app.config["DATABASE"])
    with app.app_context():
        name = f"Reception {db['kiosks'].count + 1}"  # tablet names are unique
        _, device = tablets.enrol(db, tablets.create(db, name))
    db.conn.close()
    client = app.test_client()
    client.set_cookie(app.config["KIOSK_COOKIE"], device)
    return client


def add_staff(db, username, role, password=PASSWORD):
    """Create a staff account with a confirmed second factor; return its TOTP secret."""
    accounts.create(db, username, role, password)
    secret = mfa.provision(db, username)
    db["users"].update(username, {"totp_confirmed_at": clock.iso(clock.now())})
    return secret


def totp_code(db, username):
    """Return a code the server will accept now (each time step is accepted once)."""
    user = db["users"].get(username)
    totp = pyotp.TOTP(user["totp_secret"])
    current = totp.timecode(clock.now())
    last = user["totp_last_step"]
    # Oldest first (each step is accepted once), but not the one before this step when the
    # next step is near: it may leave the window before the server checks (a CI run's 401).
    closing = totp.interval - clock.now().timestamp() % totp.interval < 3
    unused = [step for step in (current - mfa.DRIFT_STEPS, current, current + mfa.DRIFT_STEPS)
              if (last is None or step > last) and not (closing and step < current)]
    if not unused:
        time.sleep(totp.interval - clock.now().timestamp() % totp.interval + 0.1)
        return totp_code(db, username)
    return totp.generate_otp(unused[0])


def log_in(app, client, username, password=PASSWORD):
    """Log in with password and second factor; return the final response."""
    first = client.post("/login", data={"username": username, "password": password})
    assert first.status_code == 302, first.get_data(as_text=True)
    db = connect(app.config["DATABASE"])
    try:
        return client.post("/login/code", data={"code": totp_code(db, username)})
    finally:
        db.conn.close()


def staff_client(app, username, role):
    """Create a staff account and return a client logged in with it."""
    db = connect(app.config["DATABASE"])
    add_staff(db, username, role)
    db.conn.close()
    client = app.test_client()
    response = log_in(app, client, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def client(app):
    return enrolled_client(app)


@pytest.fixture
def doctor(app):
    return staff_client(app, "dr.house", "doctor")


@pytest.fixture
def admin(app):
    return staff_client(app, "alice", "admin")


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.conn.close()


def stored(db):
    """Return every stored submission with its answers decoded."""
    return [{**row, "answers": json.loads(row["answers"])} for row in db["submissions"].rows]


SHARED = Path(__file__).resolve().parents[2] / "shared"


FAST_BUDGET = 1.0  # seconds one test of the inner loop (`-m "not slow"`) may take
over_budget = []


def pytest_runtest_logreport(report):
    """Note inner-loop tests that have grown slow, so the loop stays under a minute."""
    if report.when == "call" and "slow" not in report.keywords and \
            report.duration > FAST_BUDGET:
        over_budget.append((report.duration, report.nodeid))


def pytest_terminal_summary(terminalreporter):
    shots = Path(__file__).resolve().parents[1] / "test-artifacts" / "screenshots"
    if shots.is_dir():
        terminalreporter.write_line(f"Screenshots of every screen: {shots}")
    for duration, nodeid in sorted(over_budget, reverse=True)[:10]:
        terminalreporter.write_line(f"Over the inner loop's {FAST_BUDGET:.0f} s budget "
                                    f"({duration:.1f} s): mark it slow or make it smaller: {nodeid}")


def accessibility_errors(files, skip=()):
    """Run pdfua and outloud over files; return what each reports at error level ('' if none).

    skip names outloud rules not run (each caller says why).
    """
    pdfua = subprocess.run([TOOLS / "pdfua", "check", "--min-severity", "error", *files],
                           capture_output=True, text=True)
    skipped = ["--skip", ",".join(skip)] if skip else []
    outloud = subprocess.run([TOOLS / "outloud", "--fail-on", "error", *skipped, *files],
                             capture_output=True, text=True)
    return (pdfua.stdout if pdfua.returncode else ""), (outloud.stdout if outloud.returncode
                                                         else "")


def assert_pdf_a_3b(data, attachments=(pdf.ATTACHMENT_NAME, pdf.FHIR_ATTACHMENT)):
    """Check a sealed file is still PDF/A-3b (and claims PDF/UA-1): version, XMP
    identification, Info agreeing with the XMP, associated files listed once each."""
    reader = PdfReader(BytesIO(data))
    root = reader.trailer["/Root"]
    assert reader.pdf_header == "%PDF-1.7" and root.get("/Version") in (None, "/1.7")
    assert root["/Extensions"]["/ESIC"]["/BaseVersion"] == "/1.7"  # PAdES on PDF 1.7
    xmp = root["/Metadata"].get_data().decode()
    assert re.search(r"pdfaid:part(>|=\")3", xmp) and re.search(r"pdfaid:conformance(>|=\")B", xmp)
    assert re.search(r"pdfuaid:part(>|=\")1", xmp)  # PDF/UA-1, its schema declared for PDF/A
    assert re.search(r"pdfaSchema:prefix(>|=\")pdfuaid", xmp)
    info = reader.trailer["/Info"]
    assert re.search(r'pdf:Producer(>|=")' + re.escape(info["/Producer"]), xmp)
    assert re.search(r'xmp:CreatorTool(>|=")' + re.escape(info["/Creator"]), xmp)
    named = [spec.get_object()["/F"] for spec in root["/AF"]]
    assert sorted(named) == sorted(attachments)  # each once
    files = {spec.get_object()["/F"]: spec.get_object() for spec in root["/AF"]}
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]  # tagged for readers
    first, last = reader.trailer["/ID"]  # PDF/A: the file's (last) trailer identifies it
    # As bytes: pypdf reads some random 16-byte IDs as UTF-16 text of 8 characters.
    assert len(first.original_bytes) == len(last.original_bytes) == 16
    for name in attachments:
        assert files[name]["/AFRelationship"] == "/Data"
        assert files[name]["/EF"]["/F"].get_object()["/Subtype"] == "/application/json"


PIN = "246810"


def running_s3():
    """Run a real S3-compatible server with Object Lock on 127.0.0.1 (tests/local_s3.py)."""
    from local_s3 import LocalS3
    server = LocalS3().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def s3_server():
    """One server for the whole run: each test takes a bucket of its own."""
    yield from running_s3()


@pytest.fixture
def witness_config(s3_server):
    """The settings of an instance witnessed by a fresh bucket on the shared server."""
    return s3_server.config()


@pytest.fixture
def witness_server():
    """A server of this test's own, which the test may stop and start again."""
    yield from running_s3()


@pytest.fixture
def smtp(tmp_path):
    """A real SMTP server on 127.0.0.1 that insists on STARTTLS (tests/local_smtp.py)."""
    from local_smtp import LocalSmtp
    server = LocalSmtp(tmp_path / "mail-server").start()
    yield server
    server.stop()


def signer(app, username, role):
    """A member of staff logged in with both factors, who has set the signing PIN above."""
    from consent.practice import signing
    client = staff_client(app, username, role)
    db = connect(app.config["DATABASE"])
    signing.set_pin(db, username, PIN)
    db.conn.close()
    return client


@pytest.fixture
def practitioner(app):
    """A practitioner logged in with both factors, who has set the signing PIN above."""
    return signer(app, "nurse.joy", "practitioner")


# What a practitioner confirms at every countersignature (the form's boxes, as the domain
# takes them), and the same as the countersigning form posts them.
CONFIRMED = {"identity_checked": True, "discussed": True, "capacity_confirmed": True,
             "interpreter": "none"}
CONFIRMED_FORM = {"identity_checked": "y", "discussed": "y", "capacity_confirmed": "y",
                  "interpreter": "none"}


def countersign(app, db, submission_id, username="nurse.joy", answer="Answered in person.",
                seal=True, role="practitioner", **waiver):
    """Countersign a consent as a practitioner would (identity checked, risks discussed).

    waiver: cooling_off_reason, for a doctor countersigning inside the cooling-off period.
    """
    from consent import workflow
    from consent.practice import consents
    if not accounts.exists(db, username):
        add_staff(db, username, role)
    if not seal:
        return consents.countersign(db, submission_id, username, clock.today(), "pin",
                                    answer=answer, **CONFIRMED)
    return workflow.countersign(db, app.config, submission_id, username, clock.today(), "pin",
                                answer=answer, **CONFIRMED, **waiver)


TREATED_FACE = {"areas": [{"area": "face", "device": "Dermapen 4", "needle_depth_mm": 0.5}],
                "numbing": None, "products": [], "reaction": ""}


def treat(app, db, submission_id, details=TREATED_FACE, outcome="treated", reason="",
          username="nurse.joy"):
    """Record a treatment under a countersigned consent; tell whether it was archived."""
    from consent import workflow

    # Treated this minute, unless the test says when: never later than now.
    details = {"treated_at": clock.iso(clock.now().replace(second=0, microsecond=0)), **details}
    return workflow.record_treatment(db, app.config, submission_id, username, clock.today(),
                                     outcome, details, reason)

NO_COOLING_OFF = {treatment: 0 for treatment in TREATMENTS}  # a clinic that keeps none
SIGNATURE_PNG = clean_png(signature_data_url())  # a drawn signature, as stored
ROOT = Path(__file__).resolve().parents[1]  # the checkout
RULES = ROOT / "rules"
CASES = tomllib.loads((RULES / "cases.toml").read_text())  # the rule set's example cases
RULESET = load(RULES / "ruleset.toml", vocabulary())
DATA = Path(__file__).resolve().parent / "data"  # instances and backups earlier mains wrote
# What a practitioner posts after treating the face (the treatment form's fields).
# No time given: the form records this minute, the time of recording.
TREATED = {"outcome": "treated", "areas": ["face"],
           "device_face": "Dermapen 4", "needle_depth_mm_face": "0.5",
           "numbing_product": "EMLA 5%", "numbing_areas": ["face"], "numbing_grams": "2",
           "numbing_minutes": "40",
           "reaction": "Mild redness, as expected."}


def text_of(data):
    """Return the words of a PDF, one space between each."""
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)


def archived_bytes(app, db, document_id):
    """Return the bytes of an archived document."""
    entry = archive.entry(db, document_id)
    return (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()


def submit(app, db, **answers):
    """Store a submission through the domain and countersign it, not yet sealed."""
    ruleset = app.extensions["consent.ruleset"]
    row = submissions.submit(db, ruleset, patient(**answers), SIGNATURE_PNG, date(2026, 12, 1))
    countersign(app, db, row["id"], seal=False)
    return row


def submit_and_finalise(app, name):
    """Store and archive one consent the way the tablet does."""
    db = connect(app.config["DATABASE"])
    answers = {**PATIENT, "last_name": name, "signed_name": f"Ada {name}"}
    row = submissions.submit(db, app.extensions["consent.ruleset"], answers, SIGNATURE_PNG,
                             date(2026, 12, 1))
    countersign(app, db, row["id"], seal=False)
    finalise(db, app.config, row["id"])
    db.conn.close()
    return row["id"]


def opened(name, tmp_path):
    """Return an app on a copy of an instance an earlier main wrote, migrated by init."""
    shutil.copytree(DATA / name, tmp_path / name)
    # These tests run at a frozen July date, before the fixtures' November signatures, so no
    # cooling-off period could have passed yet: these clinics keep none.
    return make_app(config_for(tmp_path / name, COOLING_OFF_HOURS=NO_COOLING_OFF))


@pytest.fixture(scope="module")
def sealed(tmp_path_factory):
    """An instance with four sealed records (made once): Ada cleared and countersigned,
    Grace approved and countersigned, Mary declined, then Ada's treatment record."""
    folder = tmp_path_factory.mktemp("sealed")
    app = make_app(config_for(folder))
    client, db = enrolled_client(app), connect(app.config["DATABASE"])
    doctor = staff_client(app, "dr.house", "doctor")
    client.post("/", data=valid_form())
    with app.app_context():
        countersign(app, db, next(db["submissions"].rows)["id"])
    for name, outcome in (("Grace", "approved"), ("Mary", "declined")):
        client.post("/", data=valid_form(first_name=name, signed_name=f"{name} Lovelace",
                                         cold_sore_history="yes"))
        waiting = next(db["submissions"].rows_where("first_name = ?", [name]))["id"]
        assert doctor.post(f"/review/{waiting}/decide",
                           data={"outcome": outcome}).status_code == 302
        if outcome == "approved":
            with app.app_context():
                countersign(app, db, waiting)
    with app.app_context():
        treat(app, db, next(db["submissions"].rows_where("first_name = 'Ada'"))["id"])
    assert db["archive"].count == 4
    db.conn.close()
    return folder


@pytest.fixture
def world(sealed, tmp_path):
    """A copy of the sealed instance for one attack."""
    for name in ("consent.sqlite", "archive", "seal", "checkpoints"):
        (shutil.copytree if (sealed / name).is_dir() else shutil.copy2)(sealed / name,
                                                                        tmp_path / name)
    app = make_app(config_for(tmp_path))
    return app, connect(app.config["DATABASE"])


def treatment_toml(treatment_id, name, what, record, cooling_off_hours=24, cost="£300 a session."):
    """Return one [[treatment]] as a clinic writes it in its catalogue, for tests to add."""
    return f'''
[[treatment]]
id = "{treatment_id}"
name = "{name}"
cooling_off_hours = {cooling_off_hours}
records_product = false
areas = ["face", "neck"]
cost = "{cost}"
numbing_review_grams = 20
[treatment.age]
minimum = 18
source = "Clinic policy."
[treatment.information]
what = "{what}"
how = "In passes."
feels = "Warm."
sessions = "Three."
results = "Vary."
alternatives = ["No treatment at all.", "Micro-needling."]
aftercare = ["Sunscreen."]
warning_signs = "Call {{clinic_phone}}."
[[treatment.risk]]
risk = "Redness."
likelihood = "Very common."
source = "Weiner 2019."
[[treatment.risk]]
risk = "A burn."
likelihood = "Uncommon."
serious = true
source = "Weiner 2019."
''' + record
