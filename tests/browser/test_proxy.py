"""Behind nginx, as docs/nginx.conf sets it up: HTTPS at the proxy, TRUSTED_PROXIES = 1."""
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.serve import free_port

from browser.conftest import Server, answer_questionnaire, staff_page, tablet_page
from conftest import valid_form

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "nginx.conf"


def site_config(public_port, upstream_port, tls_folder):
    """Adapt the documented site to loopback ports and the test's certificate."""
    site = DOCS.read_text().split("server {\n    listen 80;")[0]  # the HTTPS site only
    for old, new in (("listen 443 ssl;", f"listen 127.0.0.1:{public_port} ssl;"),
                     ("consent.clinic.example", "127.0.0.1"),
                     ("/etc/consent/server.pem", str(tls_folder / "server.pem")),
                     ("/etc/consent/server-key.pem", str(tls_folder / "server-key.pem")),
                     ("http://127.0.0.1:5000", f"http://127.0.0.1:{upstream_port}")):
        assert old in site, old
        site = site.replace(old, new)
    return site


class Nginx:
    """A real nginx on 127.0.0.1 in front of gunicorn, with the documented site."""

    def __init__(self, folder, public_port, upstream_port, tls_folder):
        folder.mkdir()
        self.log = folder / "error.log"
        (folder / "nginx.conf").write_text(
            f"daemon off;\nuser root;\npid {folder}/nginx.pid;\nerror_log {self.log};\n"
            "events { worker_connections 64; }\nhttp {\n"
            f"access_log {folder}/access.log;\nclient_body_temp_path {folder}/body;\n"
            f"proxy_temp_path {folder}/proxy;\n"
            + site_config(public_port, upstream_port, tls_folder) + "}\n")
        self.process = subprocess.Popen([NGINX, "-p", str(folder), "-c",
                                         str(folder / "nginx.conf")])
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", public_port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(self.log.read_text())

    def stop(self):
        self.process.send_signal(signal.SIGQUIT)
        self.process.wait(timeout=20)


@pytest.fixture
def proxied(tmp_path, clinic_tls):
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: run `make test` as root, or `apt-get install nginx-light`.")
    public = free_port()
    server = Server(tmp_path / "instance", clinic_tls[0],
                    # Three failures per address: the limit then holds whatever the clock
                    # does between requests (the per-account wait is only seconds long).
                    {"TRUSTED_PROXIES": 1, "LOGIN_MAX_PER_ADDRESS": 3}, public_port=public)
    proxy = Nginx(tmp_path / "nginx", public, server.gunicorn.port, tmp_path / "instance" / "tls")
    yield server
    proxy.stop()
    server.stop()


def test_whole_journey_through_the_documented_nginx(browser, proxied):
    server = proxied
    tablet = tablet_page(browser, server)
    answer_questionnaire(tablet, valid_form(cold_sore_history="yes"))
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    tablet.context.close()
    doctor = staff_page(browser, server, "dr.proxy", "doctor")
    doctor.wait_for_selector("h1:has-text('Review queue')")
    with doctor.expect_response(lambda r: r.url.endswith("/review")) as queue:
        doctor.reload()
    assert queue.value.all_headers()["strict-transport-security"].startswith("max-age=")
    doctor.click("text=Ada Lovelace")
    doctor.click("label:has(input[value='approved'])")
    doctor.click("button:has-text('Record decision')")
    doctor.wait_for_selector("text=Decision recorded: approved")
    doctor.click("button:has-text('Log out')")
    doctor.wait_for_selector("h1:has-text('Staff log-in')")
    doctor.context.close()
    db = server.db()
    assert next(db["submissions"].rows)["status"] == "awaiting_consent"
    db.conn.close()


def test_a_spoofed_forwarded_for_does_not_escape_the_address_limit(proxied):
    context = ssl.create_default_context(
        cafile=str(proxied.gunicorn.log.parent / "tls" / "ca.pem"))
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context),
                                         urllib.request.HTTPCookieProcessor())
    page = opener.open(proxied.url + "/login").read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]
    statuses = []
    for n in range(7):  # each claims another address; nginx appends the real one
        request = urllib.request.Request(
            proxied.url + "/login", data=urllib.parse.urlencode(
                {"username": "x", "password": "wrong password", "csrf_token": token}).encode(),
            headers={"X-Forwarded-For": f"10.9.9.{n}", "Referer": proxied.url + "/login"})
        try:
            statuses.append(opener.open(request).status)
        except urllib.error.HTTPError as error:
            statuses.append(error.code)
    # One real address: after three failures it waits (a spoofed one each time would not).
    assert statuses[:3] == [401] * 3 and set(statuses[3:]) == {429}
    db = proxied.db()
    assert {row["address"] for row in db["login_failures"].rows} == {"127.0.0.1"}
    db.conn.close()
