"""Security headers on every route, and error pages that reveal nothing."""
import pytest

from consent.intake.questionnaire import EDITION
from consent.kernel.storage import connect

from conftest import enrolled_client, staff_client, valid_form

COMMON = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


def check_headers(response, endpoint):
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp, endpoint
    assert "unsafe-inline" not in csp
    for name, value in COMMON.items():
        assert response.headers[name] == value, (endpoint, name)
    if endpoint != "static":
        assert response.headers["Cache-Control"] == "no-store", endpoint


@pytest.mark.slow
def test_headers_on_every_route_for_every_role(app):
    clients = [app.test_client(), enrolled_client(app), staff_client(app, "dr.house", "doctor"),
               staff_client(app, "alice", "admin"), staff_client(app, "rita", "reception")]
    clients[1].post("/", data=valid_form())
    db = connect(app.config["DATABASE"])
    arguments = {"edition": EDITION, "submission_id": next(db["submissions"].rows)["id"],
                 "username": "dr.house",
                 "change": "enable", "kiosk_id": "missing", "token": "x", "filename": "app.css",
                 "visit_id": "missing", "reaction_id": 1}
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")
    for client in clients:
        for rule in rules:
            url = rule.build({k: arguments[k] for k in rule.arguments})[1]
            response = client.open(url, method="GET" if "GET" in rule.methods else "POST")
            check_headers(response, rule.endpoint)
            response.close()


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://clinic.example")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("path, method, code", [("/nowhere", "GET", 404),
                                                ("/thanks", "POST", 405)])
def test_error_pages_are_generic(client, path, method, code):
    response = client.open(path, method=method)
    assert response.status_code == code
    assert b"Sorry" in response.data and b"Traceback" not in response.data
    check_headers(response, "error")


def test_an_unexpected_error_shows_no_stack_trace(app, client, monkeypatch):
    app.config["PROPAGATE_EXCEPTIONS"] = False
    from consent.intake import submissions

    def explode(*args, **kwargs):
        raise RuntimeError("secret internals /etc/passwd")
    monkeypatch.setattr(submissions, "submit", explode)
    response = client.post("/", data=valid_form())
    assert response.status_code == 500
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
    assert b"Your answers were not saved" in response.data


def test_production_config_has_debug_off(tmp_path):
    from consent import create_app
    app = create_app({"DATABASE": str(tmp_path / "c.sqlite")})
    assert app.debug is False and app.testing is False


def test_behind_a_trusted_proxy_https_and_client_address_are_seen(tmp_path):
    from consent import create_app
    from consent.instance import initialise

    from conftest import config_for
    app = create_app(config_for(tmp_path, TRUSTED_PROXIES=1))
    initialise(app)
    response = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https",
                                                        "X-Forwarded-For": "10.0.0.7"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
