"""Every route, tried as anonymous, kiosk, doctor, practitioner, admin and reception, answers as designed."""
from datetime import date

import pytest

from consent.intake.questionnaire import EDITION
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.staff import tablets
from consent.visits import reactions, visits

from conftest import countersign, enrolled_client, staff_client, valid_form

# Outcomes: "ok", "login" (redirect to /login), "forbidden" (403), "not_enrolled" (403 page),
# or a status code.
ROLES = ("anonymous", "kiosk", "doctor", "practitioner", "admin", "reception")
OK, LOGIN, NO, KIOSK = "ok", "login", "forbidden", "not_enrolled"
MATRIX = {  # endpoint: the outcome for each of ROLES, in that order
    "static":                  (OK, OK, OK, OK, OK, OK),
    "intake.questionnaire":    (KIOSK, OK, KIOSK, KIOSK, KIOSK, KIOSK),
    "intake.thanks":           (KIOSK, OK, KIOSK, KIOSK, KIOSK, KIOSK),
    "intake.what_this_means":  (KIOSK, OK, KIOSK, KIOSK, KIOSK, KIOSK),
    "auth.login":              (OK, OK, OK, OK, OK, OK),
    "auth.second_factor":      (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "auth.enrol_factor":       (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "auth.logout":             (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "account.change_password": (LOGIN, LOGIN, OK, OK, OK, OK),
    "account.setup":           (OK, OK, OK, OK, OK, OK),
    "account.setup_status":    (OK, OK, OK, OK, OK, OK),
    "kiosk.enrol_device":      (OK, OK, OK, OK, OK, OK),
    "kiosk.link_status":       (OK, OK, OK, OK, OK, OK),
    "review.queue":            (LOGIN, LOGIN, OK, NO, NO, NO),
    "review.submission":       (LOGIN, LOGIN, OK, NO, NO, NO),
    "review.decide":           (LOGIN, LOGIN, 422, NO, NO, NO),
    "review.pdf":              (LOGIN, LOGIN, OK, NO, NO, NO),
    "review.fhir_bundle":      (LOGIN, LOGIN, OK, NO, NO, NO),
    "fhir.questionnaire":      (LOGIN, LOGIN, OK, OK, OK, OK),  # no patient data in it
    "today.index":             (LOGIN, LOGIN, OK, OK, NO, NO),
    "practice.countersign":    (LOGIN, LOGIN, OK, OK, NO, NO),
    "practice.treatment":      (LOGIN, LOGIN, OK, OK, NO, NO),
    "practice.history":        (LOGIN, LOGIN, OK, OK, NO, NO),
    "practice.pin":            (LOGIN, LOGIN, OK, OK, NO, NO),
    "admin.index":             (LOGIN, LOGIN, NO, NO, OK, NO),
    "admin.add_user":          (LOGIN, LOGIN, NO, NO, 422, NO),
    "admin.toggle_user":       (LOGIN, LOGIN, NO, NO, OK, NO),
    "admin.reset_password":    (LOGIN, LOGIN, NO, NO, OK, NO),
    "admin.reset_factor":      (LOGIN, LOGIN, NO, NO, OK, NO),
    "admin.ca_certificate":    (LOGIN, LOGIN, NO, NO, OK, NO),
    "admin.enrol_kiosk":       (LOGIN, LOGIN, NO, NO, 422, NO),
    "admin.revoke_kiosk":      (LOGIN, LOGIN, NO, NO, OK, NO),
    "reception.index":         (LOGIN, LOGIN, NO, NO, NO, OK),
    "reception.new":           (LOGIN, LOGIN, NO, NO, NO, OK),
    "reception.resend":        (LOGIN, LOGIN, NO, NO, NO, OK),
    "reception.change":        (LOGIN, LOGIN, NO, NO, NO, OK),
    "practice.copy_pdf":       (LOGIN, LOGIN, OK, OK, NO, NO),
    "practice.aftercare_sheet": (LOGIN, LOGIN, 404, 404, NO, NO),  # nothing treated yet
    "reception.cancel":        (LOGIN, LOGIN, NO, NO, NO, OK),
    "visit.open_link":         (OK, OK, OK, OK, OK, OK),
    "visit.link_status":       (OK, OK, OK, OK, OK, OK),
    "visit.closed":            (OK, OK, OK, OK, OK, OK),
    "home.questionnaire":      (NO, NO, NO, NO, NO, NO),
    "home.what_this_means":    (NO, NO, NO, NO, NO, NO),
    "home.photo_permissions":  (NO, NO, NO, NO, NO, NO),
    "home.thanks":             (OK, OK, OK, OK, OK, OK),
    "home.copy":               (NO, NO, NO, NO, NO, NO),
    "home.copy_pdf":           (NO, NO, NO, NO, NO, NO),
    "home.aftercare":          (NO, NO, NO, NO, NO, NO),
    "home.reported":           (OK, OK, OK, OK, OK, OK),
    "reactions.index":         (LOGIN, LOGIN, OK, NO, NO, NO),
    "reactions.seen":          (LOGIN, LOGIN, OK, NO, NO, NO),
    "reactions.photo":         (LOGIN, LOGIN, 404, NO, NO, NO),
}
PATIENT = "Zebedee"


@pytest.fixture
def world(app):
    """A countersigned consent, one client per role, and values for every URL argument."""
    clients = {"anonymous": app.test_client(), "kiosk": enrolled_client(app),
               "doctor": staff_client(app, "dr.house", "doctor"),
               "admin": staff_client(app, "alice", "admin"),
               "practitioner": staff_client(app, "nurse.jo", "practitioner"),
               "reception": staff_client(app, "rita", "reception")}
    clients["kiosk"].post("/", data=valid_form(first_name=PATIENT, signed_name=f"{PATIENT} Lovelace"))
    db = connect(app.config["DATABASE"])
    countersign(app, db, next(db["submissions"].rows)["id"], "nurse.jo")
    visit = visits.create(db, {"first_name": "Yolanda", "last_name": "Booked",
                               "date_of_birth": date(1990, 1, 1), "email": "y@example.com",
                               "phone": "", "treatment": "microneedling",
                               "treatment_date": clock.today()}, "rita", clock.today())
    reactions.report(db, reactions.load_signs(app.config["REACTION_SIGNS_FILE"]),
                     next(db["submissions"].rows)["id"], "A small bump", "face", clock.today())
    arguments = {"edition": EDITION, "visit_id": visit["id"],
                 "reaction_id": next(db["reactions"].rows)["id"],
                 "submission_id": next(db["submissions"].rows)["id"], "username": "dr.house",
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


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.slow
def test_access_matrix(app, world, role):
    clients, arguments = world
    client = clients[role]
    seen = []
    rules = sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint == "auth.logout")
    for rule in rules:  # log-out last, or it would end the session mid-walk
        url = rule.build({k: arguments[k] for k in rule.arguments})[1]
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(url, method=method, data={})
        expected = dict(zip(ROLES, MATRIX[rule.endpoint]))[role]
        assert outcome(response) == expected, (rule.endpoint, role, response.status_code)
        if role != "doctor" and not (role == "practitioner" and rule.endpoint.startswith(
                ("today.", "practice."))):
            assert PATIENT.encode() not in response.data, (rule.endpoint, role)
        response.close()
        seen.append(rule.endpoint)
    assert len(seen) == len(MATRIX)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.slow
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


@pytest.mark.slow
def test_kiosk_cookie_grants_nothing_else(app, world):
    clients, arguments = world
    kiosk = clients["kiosk"]
    assert kiosk.get(f"/review/{arguments['submission_id']}").status_code == 302
    assert kiosk.get(f"/review/{arguments['submission_id']}/pdf").status_code == 302
    assert kiosk.get("/admin").status_code == 302


@pytest.mark.slow
def test_revoked_tablet_is_not_served(app, world):
    clients, arguments = world
    db = connect(app.config["DATABASE"])
    tablets.revoke(db, arguments["kiosk_id"])
    db.conn.close()
    response = clients["kiosk"].get("/")
    assert response.status_code == 403 and b"not enrolled" in response.data
