"""Gunicorn over HTTPS, a real Chromium, and helpers that act like a patient and staff."""
import base64
import hashlib
import shutil
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from bench.serve import Gunicorn, free_port, prepare_instance
from consent import create_app, tls
from consent.kernel.storage import connect
from consent.staff import tablets

from conftest import PASSWORD, add_staff, totp_code

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TABLET = {"width": 768, "height": 1024}


def pytest_collection_modifyitems(items):
    """Every browser test is slow, and serves from another process: gunicorn and Chromium."""
    for item in items:
        if "/browser/" in str(item.path):
            item.add_marker(pytest.mark.slow)
            item.add_marker(pytest.mark.server)


@pytest.fixture(scope="session")
def clinic_tls(tmp_path_factory):
    """One clinic CA and server key for the whole run, so Chromium can pin its key."""
    folder = tmp_path_factory.mktemp("tls-instance")
    tls.ensure(folder, "Test Clinic", "https://127.0.0.1")
    cert = x509.load_pem_x509_certificate((folder / tls.SERVER_CERT).read_bytes())
    spki = cert.public_key().public_bytes(serialization.Encoding.DER,
                                          serialization.PublicFormat.SubjectPublicKeyInfo)
    return folder / "tls", base64.b64encode(hashlib.sha256(spki).digest()).decode()


@pytest.fixture(scope="session")
def browser(clinic_tls):
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium: run `make test` as root, "
                    "or `apt-get install chromium`.")
    from playwright.sync_api import sync_playwright

    # Trust exactly the clinic's server key, as a tablet that installed the clinic's CA does.
    pin = f"--ignore-certificate-errors-spki-list={clinic_tls[1]}"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=[*CHROMIUM_ARGS, pin])
        yield launched
        launched.close()


class Server:
    """The app under gunicorn on 127.0.0.1, configured as a clinic deploys it.

    With TLS from gunicorn itself; or, given public_port, plain HTTP behind a proxy that
    serves https://127.0.0.1:public_port.
    """

    def __init__(self, folder, tls_folder, config, public_port=None):
        port = free_port()
        settings = {"SECRET_KEY": "browser-test",
                    "PUBLIC_URL": f"https://127.0.0.1:{public_port or port}", **config}
        folder.mkdir(parents=True)
        (folder / "config.py").write_text(
            "".join(f"{key} = {value!r}\n" for key, value in settings.items()))
        shutil.copytree(tls_folder, folder / "tls")
        self.gunicorn = Gunicorn(prepare_instance(folder, keep_config=True), workers=2,
                                 tls=public_port is None, port=port,
                                 access_log=folder / "access.log")
        self.url = settings["PUBLIC_URL"]
        self.app = create_app()  # the same instance, for reading its database and archive
        assert self.app.config["SESSION_COOKIE_SECURE"]
        self.stored_before = set()

    def db(self):
        return connect(self.app.config["DATABASE"])

    def mark(self):
        """Remember the submissions stored so far: rows() leaves them out."""
        self.stored_before |= {row["id"] for row in self.rows()}

    def rows(self):
        """Return the submissions stored since mark(), or all of them."""
        db = self.db()
        found = [row for row in db["submissions"].rows if row["id"] not in self.stored_before]
        db.conn.close()
        return found

    def stop(self):
        self.gunicorn.stop()


@pytest.fixture
def serve(tmp_path, clinic_tls, monkeypatch):
    """Start the app with extra config on a free loopback port, over HTTPS."""
    servers = []

    def start(**config):
        folder = tmp_path / f"instance-{len(servers)}"
        monkeypatch.setenv("CONSENT_INSTANCE", str(folder))
        servers.append(Server(folder, clinic_tls[0], config))
        return servers[-1]
    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(serve):
    return serve()


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory, clinic_tls):
    """Serve a module's tests that each enrol their own tablet and read only their own rows."""
    # Starting gunicorn is most of a short browser test's time.
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.mktemp("shared") / "instance"
        patch.setenv("CONSENT_INSTANCE", str(folder))
        server = Server(folder, clinic_tls[0], {})
    yield server
    server.stop()


def tablet_page(browser, server, viewport=TABLET, enrol=True):
    """Open a fresh browser context, enrolled through the real one-time link."""
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = context.new_page()
    if enrol:
        db = server.db()
        token = tablets.create(db, f"Reception {db['kiosks'].count + 1}")  # names are unique
        db.conn.close()
        page.goto(tablets.enrolment_link(server.app.config, token))
        page.click("button:has-text('Enrol this tablet')")
        page.wait_for_selector("#welcome")
    return page


@pytest.fixture
def tablet(browser, server):
    page = tablet_page(browser, server)
    yield page
    page.context.close()


def staff_page(browser, server, username, role, shots=None):
    """Create a staff account with a second factor and log in through the real pages."""
    db = server.db()
    add_staff(db, username, role)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/login")
    if shots:
        screenshot(page, f"{shots}-login")
        assert serious_violations(page) == []
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_selector("h1:has-text('Enter your code')")
    if shots:
        screenshot(page, f"{shots}-code")
        assert serious_violations(page) == []
    page.fill("#code", totp_code(db, username))
    db.conn.close()
    page.click("button:has-text('Continue')")
    return page


def doctor_page(browser, server, username="dr.house"):
    """Log a doctor in on a desktop-sized browser."""
    page = staff_page(browser, server, username, "doctor")
    page.wait_for_selector("h1:has-text('Review queue')")
    return page


def fill_visible(page, data):
    """Answer every question on the current screen from form data, like a finger would."""
    for name, value in data.items():
        if name == "signature":
            continue
        inputs = page.locator(f"section.step:visible [name='{name}']")
        if inputs.count() == 0:
            continue
        kind = inputs.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            for choice in value if isinstance(value, list) else [value]:
                page.locator(f"section.step:visible label:has(input[name='{name}']"
                             f"[value='{choice}'])").click()
        else:
            inputs.first.fill(value)


def draw_signature(page, field="signature"):
    """Draw a zigzag on the signature pad with mouse moves."""
    pad = page.locator(f"canvas[data-input='{field}']")
    pad.scroll_into_view_if_needed()  # a finger draws only where the screen shows
    box = pad.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for i, (dx, dy) in enumerate([(0.25, 0.2), (0.4, 0.8), (0.55, 0.25), (0.7, 0.75),
                                  (0.85, 0.3)]):
        page.mouse.move(x + w * dx, y + h * dy, steps=8)
    page.mouse.up()


def answer_questionnaire(page, data, on_screen=None, sign=True):
    """Walk every screen from the welcome to the signature, answering from data."""
    page.click("[data-start]")
    while not page.locator("#section-consent").is_visible():
        if on_screen:
            on_screen(page)
        fill_visible(page, data)
        page.click("[data-next]")
    if on_screen:
        on_screen(page)
    fill_visible(page, data)
    if sign:
        draw_signature(page)


def serious_violations(page):
    """Run axe-core on the page; return serious or critical violations."""
    results = Axe().run(page)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def screenshot(page, name):
    """Save a screenshot for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def record_treatment(page):
    """Fill the treatment record (face, device, depth, one product) and save it."""
    page.click("label:has(input[value='treated'])")
    page.check("#areas-0")
    page.fill("#device_face", "Dermapen 4")
    page.fill("#needle_depth_mm_face", "0.5")
    page.fill("#products-0-name", "Hyaluronic serum")
    page.fill("#products-0-batch", "HA-221")
    page.fill("#products-0-expiry", "2027-03-31")
    page.click("button:has-text('Save and seal')")


def open_countersigning_with_a_pin(page):
    """From Today: set the signing PIN 246810, then open the first consent waiting."""
    page.click("text=Signing PIN")
    page.fill("#password", PASSWORD)
    page.fill("#pin", "246810")
    page.click("button:has-text('Set my PIN')")
    page.wait_for_selector("text=Your signing PIN is set.")
    page.click("text=practitioner: consent")
    page.wait_for_selector("h2:has-text('Countersign the consent')")
