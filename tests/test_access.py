"""Every route, tried as anonymous, kiosk, doctor and admin, answers as designed."""
import pytest

from conftest import enrolled_client, staff_client, valid_form
from consent import tablets
from consent.storage import connect

# endpoint -> expected outcome per role: "ok", "login" (redirect to /login),
# "forbidden" (403), "not_enrolled" (403 page), or a status code.
MATRIX = {
    "static": dict(anonymous="ok", kiosk="ok", doctor="ok", admin="ok"),
    "intake.questionnaire": dict(anonymous="not_enrolled", kiosk="ok", doctor="not_enrolled",
                                 admin="not_enrolled"),
    "intake.thanks": dict(anonymous="not_enrolled", kiosk="ok", doctor="not_enrolled",
                          admin="not_enrolled"),
    "auth.login": dict(anonymous="ok", kiosk="ok", doctor="ok", admin="ok"),
    "auth.second_factor": dict(anonymous="login", kiosk="login", doctor="login", admin="login"),
    "auth.enrol_factor": dict(anonymous="login", kiosk="login", doctor="login", admin="login"),
    "auth.logout": dict(anonymous="login", kiosk="login", doctor="login", admin="login"),
    "account.change_password": dict(anonymous="login", kiosk="login", doctor="ok", admin="ok"),
    "account.setup": dict(anonymous="ok", kiosk="ok", doctor="ok", admin="ok"),
    "account.setup_status": dict(anonymous="ok", kiosk="ok", doctor="ok", admin="ok"),
    "kiosk.enrol_device": dict(anonymous="ok", kiosk="ok", doctor="ok", admin="ok"),
    "kiosk.link_status": dict(anonymous="ok", kiosk="ok", doctor="ok", admin="ok"),
    "review.queue": dict(anonymous="login", kiosk="login", doctor="ok", admin="forbidden"),
    "review.submission": dict(anonymous="login", kiosk="login", doctor="ok", admin="forbidden"),
    "review.decide": dict(anonymous="login", kiosk="login", doctor=422, admin="forbidden"),
    "review.pdf": dict(anonymous="login", kiosk="login", doctor="ok", admin="forbidden"),
    "admin.index": dict(anonymous="login", kiosk="login", doctor="forbidden", admin="ok"),
    "admin.add_user": dict(anonymous="login", kiosk="login", doctor="forbidden", admin=422),
    "admin.toggle_user": dict(anonymous="login", kiosk="login", doctor="forbidden", admin="ok"),
    "admin.reset_password": dict(anonymous="login", kiosk="login", doctor="forbidden", admin="ok"),
    "admin.reset_factor": dict(anonymous="login", kiosk="login", doctor="forbidden", admin="ok"),
    "admin.ca_certificate": dict(anonymous="login", kiosk="login", doctor="forbidden", admin="ok"),
    "admin.enrol_kiosk": dict(anonymous="login", kiosk="login", doctor="forbidden", admin=422),
    "admin.revoke_kiosk": dict(anonymous="login", kiosk="login", doctor="forbidden", admin="ok"),
}
PATIENT = "Zebedee"


@pytest.fixture
def world(app):
    """A cleared consent, one client per role, and values for every URL argument."""
    clients = {"anonymous": app.test_client(), "kiosk": enrolled_client(app),
               "doctor": staff_client(app, "dr.house", "doctor"),
               "admin": staff_client(app, "alice", "admin")}
    clients["kiosk"].post("/", data=valid_form(first_name=PATIENT, signed_name=f"{PATIENT} Lovelace"))
    db = connect(app.config["DATABASE"])
    arguments = {"submission_id": next(db["submissions"].rows)["id"], "username": "dr.house",
                 "change": "disable", "kiosk_id": next(db["kiosks"].rows)["id"],
                 "token": "not-a-token", "filename": "app.css"}
    db.conn.close()
    return clients, arguments


def test_every_route_is_in_the_matrix(app):
    assert {rule.endpoint for rule in app.url_map.iter_rules()} == set(MATRIX)


def outcome(response):
    """Classify a response the way the matrix speaks."""
    if response.status_code == 302 and response.headers["Location"].endswith("/login"):
        return "login"
    if response.status_code == 403:
        return "not_enrolled" if b"not enrolled" in response.data else "forbidden"
    return "ok" if response.status_code in (200, 302) else response.status_code


@pytest.mark.parametrize("role", ["anonymous", "kiosk", "doctor", "admin"])
def test_access_matrix(app, world, role):
    clients, arguments = world
    client = clients[role]
    seen = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")
    for rule in rules:  # log-out last, or it would end the session mid-walk
        url = rule.build({k: arguments[k] for k in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={})
        expected = MATRIX[rule.endpoint][role]
        assert outcome(response) == expected, (rule.endpoint, role, response.status_code)
        if role != "doctor":
            assert PATIENT.encode() not in response.data, (rule.endpoint, role)
        response.close()
        seen.append(rule.endpoint)
    assert len(seen) == len(MATRIX)


@pytest.mark.parametrize("role", ["anonymous", "kiosk", "doctor", "admin"])
def test_every_post_route_refuses_a_missing_or_foreign_csrf_token(app, world, role):
    clients, arguments = world
    stranger = staff_client(app, "dr.stranger", "doctor")
    foreign = stranger.csrf_token()  # valid, but for another session
    posts = [rule for rule in app.url_map.iter_rules() if "POST" in rule.methods]
    assert len(posts) >= 12
    for rule in posts:
        url = rule.build({k: arguments[k] for k in rule.arguments})[1]
        for token in ("", foreign):
            response = clients[role].post(url, data={"csrf_token": token})
            assert response.status_code == 400, (rule.endpoint, role, token[:5])


def test_kiosk_cookie_grants_nothing_else(app, world):
    clients, arguments = world
    kiosk = clients["kiosk"]
    assert kiosk.get(f"/review/{arguments['submission_id']}").status_code == 302
    assert kiosk.get(f"/review/{arguments['submission_id']}/pdf").status_code == 302
    assert kiosk.get("/admin").status_code == 302


def test_revoked_tablet_is_not_served(app, world):
    clients, arguments = world
    db = connect(app.config["DATABASE"])
    tablets.revoke(db, arguments["kiosk_id"])
    db.conn.close()
    response = clients["kiosk"].get("/")
    assert response.status_code == 403 and b"not enrolled" in response.data
