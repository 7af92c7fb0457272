"""A live server, a real Chromium, and helpers that act like a patient and a doctor."""
import threading
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from werkzeug.serving import make_server

from conftest import PASSWORD, config_for
from consent import accounts, create_app, kiosks
from consent.db import connect
from consent.instance import initialise

CHROMIUM = Path("/usr/bin/chromium")
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
TABLET = {"width": 768, "height": 1024}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing at /usr/bin/chromium: run `make test` as root, "
                    "or `apt-get install chromium`.")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Server:
    """The app served on 127.0.0.1 in a thread."""

    def __init__(self, app):
        self.app = app
        self.http = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.http.server_port}"
        self.thread = threading.Thread(target=self.http.serve_forever, daemon=True)
        self.thread.start()

    def db(self):
        return connect(self.app.config["DATABASE"])

    def stop(self):
        self.http.shutdown()
        self.thread.join()


@pytest.fixture
def serve(tmp_path):
    """Start the app with extra config on a free loopback port."""
    servers = []

    def start(**config):
        app = create_app(config_for(tmp_path, WTF_CSRF_ENABLED=True, **config))
        initialise(app)
        servers.append(Server(app))
        return servers[-1]
    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def server(serve):
    return serve()


def tablet_page(browser, server, viewport=TABLET, enrol=True):
    """Open a fresh browser context, enrolled through the real one-time link."""
    context = browser.new_context(viewport=viewport, has_touch=True)
    page = context.new_page()
    if enrol:
        db = server.db()
        token = kiosks.create(db, "Reception")
        db.conn.close()
        page.goto(f"{server.url}/kiosk/enrol/{token}")
        page.click("button:has-text('Enrol this tablet')")
        page.wait_for_selector("#welcome")
    return page


@pytest.fixture
def tablet(browser, server):
    page = tablet_page(browser, server)
    yield page
    page.context.close()


def doctor_page(browser, server, username="dr.house"):
    """Log a doctor in on a desktop-sized browser."""
    db = server.db()
    accounts.create(db, username, "doctor", PASSWORD)
    db.conn.close()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(f"{server.url}/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Log in')")
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


def draw_signature(page):
    """Draw a zigzag on the signature pad with mouse moves."""
    box = page.locator("canvas.signature-pad").bounding_box()
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
