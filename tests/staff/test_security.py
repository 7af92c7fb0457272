"""Regression tests for the security review of 2026-11: each fails on the code it reviewed."""
import hashlib
import json
import logging
import os
import shutil
from datetime import timedelta
from io import BytesIO
from pathlib import Path

import pytest

from consent.evidence import pdf
from consent.evidence.seal import keys
from consent.intake import submissions
from consent.kernel import clock
from consent.staff import accounts

from conftest import (BACKUP_IDENTITY, PASSWORD, add_staff, config_for, countersign,
                      enrolled_client, log_in, make_app, staff_client, submit_and_finalise, treat,
                      valid_form)


@pytest.fixture
def later(monkeypatch):
    """Move the clock forward by hand."""
    offset = {"delta": timedelta(0)}
    real = clock.now
    monkeypatch.setattr(clock, "now", lambda: real() + offset["delta"])
    return offset


# -- Sessions end when credentials change -----------------------------------------------

def still_in(client):
    """Tell whether a staff client's session still opens the review queue."""
    return client.get("/review").status_code == 200


def test_password_link_factor_reset_and_disable_end_every_session(app, admin, db):
    for change in ("password", "factor", "disable"):
        name = f"dr.{change}"
        doctor = staff_client(app, name, "doctor")
        other_device = app.test_client()
        log_in(app, other_device, name)
        assert still_in(doctor) and still_in(other_device)
        action = "disable" if change == "disable" else change
        assert admin.post(f"/admin/users/{name}/{action}").status_code in (200, 302)
        assert not still_in(doctor) and not still_in(other_device), change


def test_enabling_again_does_not_revive_old_sessions(app, admin):
    doctor = staff_client(app, "dr.house", "doctor")
    admin.post("/admin/users/dr.house/disable")
    admin.post("/admin/users/dr.house/enable")  # no request from the doctor in between
    assert not still_in(doctor)


def test_own_password_change_needs_the_current_one_and_ends_sessions(app, db):
    doctor = staff_client(app, "dr.house", "doctor")
    other_device = app.test_client()
    log_in(app, other_device, "dr.house")
    wrong = doctor.post("/account/password", data={
        "current": "not my password", "password": "brand new passphrase",
        "confirm": "brand new passphrase"})
    assert wrong.status_code == 422 and b"current password is not right" in wrong.data
    assert still_in(doctor)
    changed = doctor.post("/account/password", data={
        "current": PASSWORD, "password": "brand new passphrase",
        "confirm": "brand new passphrase"})
    assert changed.status_code == 302 and changed.headers["Clear-Site-Data"]
    assert not still_in(doctor) and not still_in(other_device)
    assert log_in(app, app.test_client(), "dr.house", "brand new passphrase").status_code == 302


def test_cli_set_password_ends_sessions(app, runner):
    doctor = staff_client(app, "dr.house", "doctor")
    result = runner.invoke(args=["users", "set-password", "dr.house", "--password-stdin"],
                           input="another long passphrase\n")
    assert result.exit_code == 0, result.output
    assert not still_in(doctor)
    assert runner.invoke(args=["users", "set-password", "nobody", "--password-stdin"],
                         input="another long passphrase\n").exit_code != 0


# -- The second factor ------------------------------------------------------------------

def test_a_code_is_accepted_once_and_recovery_codes_once_each(app, db):
    import pyotp

    from conftest import totp_code
    add_staff(db, "dr.house", "doctor")
    secret = db["users"].get("dr.house")["totp_secret"]
    code = pyotp.TOTP(secret).at(clock.now())
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        client.post("/login", data={"username": "dr.house", "password": PASSWORD})
    assert first.post("/login/code", data={"code": code}).status_code == 302
    replay = second.post("/login/code", data={"code": code})
    assert replay.status_code == 401 and b"already used" in replay.data
    from consent.staff import mfa
    codes = mfa.confirm(db, "dr.house", totp_code(db, "dr.house"))
    assert len(codes) == 10 and all(row["code_hash"] not in codes
                                    for row in db["recovery_codes"].rows)
    assert second.post("/login/code", data={"code": codes[0].upper()}).status_code == 302
    third = app.test_client()
    third.post("/login", data={"username": "dr.house", "password": PASSWORD})
    assert third.post("/login/code", data={"code": codes[0]}).status_code == 401


def test_wrong_codes_slow_that_device_but_never_lock_the_owner_out(app, db, later):
    add_staff(db, "dr.house", "doctor")
    client = app.test_client()
    client.post("/login", data={"username": "dr.house", "password": PASSWORD})
    statuses = [client.post("/login/code", data={"code": "000000"}).status_code
                for _ in range(10)]
    assert statuses[:3] == [401] * 3 and statuses[3:] == [429] * 7  # waits, then doubling
    assert b"wait 1 second," in client.post("/login/code", data={"code": "000000"}).data
    owner = from_address(app, 7)  # the doctor, on their own device
    assert log_in(app, owner, "dr.house").status_code == 302


def test_a_stranger_guessing_a_password_cannot_lock_the_owner_out(app, db, later):
    add_staff(db, "dr.house", "doctor")
    stranger = from_address(app, 99)
    statuses = []
    for _ in range(12):
        statuses.append(stranger.post("/login", data={"username": "dr.house",
                                                      "password": "wrong guess"}).status_code)
        later["delta"] += timedelta(seconds=1)
    assert statuses[:4] == [401] * 4 and 429 in statuses  # slowed, more with each failure
    assert b"Please wait" in stranger.post("/login", data={"username": "dr.house",
                                                           "password": PASSWORD}).data
    owner = from_address(app, 5)
    assert log_in(app, owner, "dr.house").status_code == 302  # right password and code
    later["delta"] += timedelta(minutes=16)  # the window over, the stranger starts again
    assert stranger.post("/login", data={"username": "dr.house",
                                         "password": "wrong guess"}).status_code == 401


def test_without_a_second_factor_no_patient_page_opens(app, db):
    accounts.create(db, "dr.house", "doctor", PASSWORD)
    client = app.test_client()
    response = client.post("/login", data={"username": "dr.house", "password": PASSWORD})
    assert response.headers["Location"] == "/login/enrol"
    assert client.get("/review").headers["Location"].endswith("/login")
    page = client.get("/login/enrol").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page
    assert db["users"].get("dr.house")["totp_secret"] in page


def test_users_add_prints_the_provisioning_uri(runner, db):
    result = runner.invoke(args=["users", "add", "dr.who", "--role", "doctor",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    secret = db["users"].get("dr.who")["totp_secret"]
    assert "otpauth://totp/" in result.output and f"secret={secret}" in result.output


def test_admin_reset_of_a_factor_is_audited_and_asks_for_a_new_one(app, admin, db):
    staff_client(app, "dr.house", "doctor")
    assert admin.post("/admin/users/dr.house/factor").status_code == 302
    assert db["users"].get("dr.house")["totp_secret"] is None
    assert db["recovery_codes"].count_where("username = ?", ["dr.house"]) == 0
    assert any(row["action"] == "mfa_reset" for row in db["audit"].rows)
    client = app.test_client()
    response = client.post("/login", data={"username": "dr.house", "password": PASSWORD})
    assert response.headers["Location"] == "/login/enrol"


# -- Admins cannot make themselves a doctor --------------------------------------------

def test_admin_cannot_choose_a_staff_password(app, admin, db):
    admin.post("/admin/users", data={"username": "dr.mine", "full_name": "Mine", "role": "doctor",
                                     "password": PASSWORD})
    user = db["users"].get("dr.mine")
    assert user["password_hash"] == accounts.NO_PASSWORD and user["totp_secret"] is None
    refused = app.test_client().post("/login", data={"username": "dr.mine",
                                                     "password": PASSWORD})
    assert refused.status_code == 401
    assert "added dr.mine as doctor" in [row["detail"] for row in db["audit"].rows]


def test_set_up_link_works_once_and_only_before_it_expires(app, db, later):
    accounts.create(db, "dr.new", "doctor")
    token = accounts.issue_setup_link(db, "dr.new")
    client = app.test_client()
    form = {"token": token, "password": "my own passphrase", "confirm": "my own passphrase"}
    assert client.post("/account/setup/status", data={"token": token}).json["valid"]
    assert client.post("/account/setup", data=form).status_code == 302
    assert client.post("/account/setup", data=form).status_code == 410
    expired = accounts.issue_setup_link(db, "dr.new")
    later["delta"] = timedelta(hours=73)
    assert client.post("/account/setup", data={**form, "token": expired}).status_code == 410


# -- Log-in abuse ---------------------------------------------------------------------------

def from_address(app, n):
    """A client at its own (loopback) address, as each device is."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"127.0.{n // 250}.{n % 250 + 1}"
    return client


@pytest.mark.slow
def test_a_thousand_anonymous_failures_from_fifty_addresses_add_a_few_audit_rows(app, db):
    before = db["audit"].count
    clients = [from_address(app, n) for n in range(50)]
    statuses = [clients[n % 50].post("/login", data={"username": f"guess{n}",
                                                     "password": "wrong password"}).status_code
                for n in range(1000)]
    assert set(statuses) == {401, 429}
    # One row for the unknown accounts and one for the throttling, per window: not 1,000.
    assert db["audit"].count - before == 2


def test_an_unknown_username_is_never_stored(app, db):
    typed = "MySecretPassw0rd!"  # typed into the wrong box
    app.test_client().post("/login", data={"username": typed, "password": "whatever"})
    dump = "\n".join(db.conn.iterdump())
    assert typed not in dump


@pytest.mark.parametrize("proxies, spoof_works", [(0, False), (1, True)])
def test_per_address_throttle_trusts_forwarded_for_only_behind_a_proxy(tmp_path, proxies,
                                                                       spoof_works):
    app = make_app(config_for(tmp_path, TRUSTED_PROXIES=proxies, LOGIN_MAX_PER_ADDRESS=5))
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "x", "password": "y"},
                            headers={"X-Forwarded-For": f"10.0.0.{n}"}).status_code
                for n in range(8)]
    assert (429 not in statuses) is spoof_works


def test_behind_a_proxy_links_ignore_forwarded_host(tmp_path):
    app = make_app(config_for(tmp_path, TRUSTED_PROXIES=1))
    admin = staff_client(app, "alice", "admin")
    page = admin.post("/admin/kiosks", data={"name": "Room 2"},
                      headers={"X-Forwarded-Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in page and "http://127.0.0.1:5000/kiosk/enrol#" in page


# -- Requests that must not crash or be honoured ---------------------------------------------

def every_form():
    """List (role, path, field names) for every form the service serves."""
    return [("kiosk", "/", list(valid_form())),
            ("anonymous", "/login", ["username", "password"]),
            ("anonymous", "/kiosk/enrol", ["token"]),
            ("anonymous", "/account/setup", ["token", "password", "confirm"]),
            ("doctor", "/review", ["name", "date_of_birth", "treatment_date"]),
            ("doctor", "/account/password", ["current", "password", "confirm"]),
            ("doctor", "/review/{id}/decide", ["outcome", "note", "override_reason",
                                               "product", "batch"]),
            ("admin", "/admin/users", ["username", "role"]),
            ("admin", "/admin/kiosks", ["name"])]


def test_every_field_sent_as_a_file_gets_a_clear_400(app, db):
    clients = {"anonymous": app.test_client(), "kiosk": enrolled_client(app),
               "doctor": staff_client(app, "dr.house", "doctor"),
               "admin": staff_client(app, "alice", "admin")}
    clients["kiosk"].post("/", data=valid_form(cold_sore_now="yes"))
    submission_id = next(db["submissions"].rows)["id"]
    before = db["submissions"].count
    for role, path, fields in every_form():
        for field in fields:
            data = {field: (BytesIO(b"<svg onload=alert(1)>"), "x.svg")}
            response = clients[role].post(path.format(id=submission_id), data=data,
                                          content_type="multipart/form-data")
            assert response.status_code == 400, (path, field, response.status_code)
            assert b"Files cannot be sent" in response.data
    assert db["submissions"].count == before


def test_cross_site_posts_are_refused(client):
    response = client.post("/", data=valid_form(), headers={"Sec-Fetch-Site": "cross-site"})
    assert response.status_code == 403


def test_https_posts_work_with_a_same_origin_referer_and_fail_without(app):
    client = app.test_client()
    data = {"username": "nobody", "password": "wrong password"}
    base = "https://localhost"
    assert client.post("/login", data=data, base_url=base).status_code == 400
    ok = client.post("/login", data=data, base_url=base, headers={"Referer": base + "/login"})
    assert ok.status_code == 401  # past CSRF, to the password check
    assert app.test_client().get("/login").headers["Referrer-Policy"] == "same-origin"


def test_unexpected_errors_are_logged_with_the_request_id(app, client, monkeypatch, caplog):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr(submissions, "submit", explode)
    with caplog.at_level(logging.ERROR):
        response = client.post("/", data=valid_form())
    assert response.status_code == 500
    [record] = [r for r in caplog.records if "Unexpected error" in r.getMessage()]
    assert record.exc_info and "intake.questionnaire" in record.getMessage()
    reference = record.getMessage().split("request ")[1].split(",")[0]
    assert reference.encode() in response.data
    assert "Lovelace" not in caplog.text


def test_pdf_fetcher_scheme_check_ignores_case():
    for url in ("FILE:///etc/passwd", "File:///etc/hostname", "fIlE:/etc/passwd"):
        with pytest.raises(ValueError):
            pdf.ConsentFetcher().fetch(url)


# -- Tablets --------------------------------------------------------------------------------

def test_tablet_cookie_is_renewed_on_use_and_dies_after_90_days_unused(app, later):
    tablet = enrolled_client(app)
    response = tablet.get("/")
    assert f"Max-Age={90 * 24 * 3600}" in response.headers["Set-Cookie"]
    later["delta"] = timedelta(days=89)
    assert tablet.get("/").status_code == 200  # used: good for another 90 days
    later["delta"] = timedelta(days=89 + 89)
    assert tablet.get("/").status_code == 200
    later["delta"] = timedelta(days=89 + 89 + 91)
    assert tablet.get("/").status_code == 403


# -- Names ------------------------------------------------------------------------------------

@pytest.mark.slow
def test_a_look_alike_name_still_matches_the_clinic_history(app, client, db):
    client.post("/", data=valid_form(first_name="Rosalind", signed_name="Rosalind Lovelace"))
    with app.app_context():
        countersign(app, db, next(db["submissions"].rows)["id"])
        treat(app, db, next(db["submissions"].rows)["id"])
    client.post("/", data=valid_form(first_name="R\u043esalind",  # Cyrillic о
                                     signed_name="R\u043esalind Lovelace"))
    first, second = list(db["submissions"].rows_where(order_by="created_at"))
    assert first["name_key"] == second["name_key"]
    assert second["status"] == "needs_review"  # the same-day treatment is stopped for a doctor


@pytest.mark.parametrize("name", ["\u3164", "A\u3164", "A" + "\u0301" * 10])
def test_invisible_and_stacked_names_are_refused(client, db, name):
    response = client.post("/", data=valid_form(first_name=name))
    assert response.status_code == 422 and db["submissions"].count == 0


# -- Files on disk ----------------------------------------------------------------------------

def mode(path):
    return oct(os.stat(path).st_mode & 0o777)


@pytest.mark.slow
def test_instance_database_backups_and_exports_are_owner_only(app, runner, tmp_path):
    submit_and_finalise(app, "Lovelace")
    assert mode(Path(app.instance_path)) == "0o700"
    assert mode(app.config["DATABASE"]) == "0o600"
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    assert mode(tmp_path / "b") == "0o700"
    assert all(int(mode(p), 8) & 0o077 == 0 for p in (tmp_path / "b").rglob("*"))
    assert runner.invoke(args=["archive", "export", "--since", "2000-01-01",
                               str(tmp_path / "e")]).exit_code == 0
    assert mode(tmp_path / "e" / "manifest.csv") == "0o600"
    assert all(int(mode(p), 8) & 0o077 == 0 for p in (tmp_path / "e").rglob("*"))


# -- Restore ------------------------------------------------------------------------------------

@pytest.fixture
def backup(app, runner, tmp_path):
    submit_and_finalise(app, "Lovelace")
    assert runner.invoke(args=["backup", str(tmp_path / "b")]).exit_code == 0
    (tmp_path / "identity.txt").write_text(BACKUP_IDENTITY)
    return tmp_path / "b"


def craft(backup, name, seal_keys=None, content=b"SECRET_KEY = 'attacker'\n"):
    """Add a file with a correct hash to a backup's manifest; re-sign it if given the key."""
    manifest = json.loads((backup / "manifest.json").read_text())
    target = backup / (name.lstrip("/") + ".age")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
    manifest["files"][name] = hashlib.sha256(content).hexdigest()
    text = json.dumps(manifest).encode()
    (backup / "manifest.json").write_bytes(text)
    if seal_keys:  # an insider who also holds the clinic's seal key
        (backup / "manifest.sig").write_text(keys.sign_bytes(text, seal_keys))


def restore_into_fresh(app, backup, tmp_path):
    """Restore into a new instance that holds the clinic's seal key; return (result, home)."""
    home = tmp_path / "x"
    fresh = make_app(config_for(home / "fresh"))
    for name in ("key.pem", "cert.pem"):
        shutil.copy2(Path(app.config["SEAL_DIR"]) / name, Path(fresh.config["SEAL_DIR"]) / name)
    before = sorted(p for p in home.rglob("*"))
    result = fresh.test_cli_runner().invoke(args=["restore", str(backup), "--identity",
                                                  str(tmp_path / "identity.txt")])
    return result, before == sorted(p for p in home.rglob("*"))


@pytest.mark.parametrize("name", ["archive/../config.py", "archive/../../escaped.txt",
                                  "/tmp/absolute.txt", "config.py", "archive/2026/11/x.py",
                                  "archive/2026/11/x.ts0.pdf", "archive/2026/11/x.ts1.treatment.pdf",
                                  "archive/2026/11/x.treatment.treatment.pdf",
                                  "archive/2026/11/x.pdf/../../../config.py"])
@pytest.mark.parametrize("with_key", [False, True], ids=["unsigned", "resigned"])
@pytest.mark.slow
def test_restore_refuses_a_crafted_backup_and_writes_nothing(app, backup, tmp_path, name,
                                                             with_key):
    Path("/tmp/absolute.txt").unlink(missing_ok=True)
    craft(backup, name, keys.from_config(app.config) if with_key else None)
    result, untouched = restore_into_fresh(app, backup, tmp_path)
    expected = "may not hold" if with_key else "not signed with this instance's seal key"
    assert result.exit_code != 0 and expected in result.output, result.output
    assert untouched and not Path("/tmp/absolute.txt").exists()


@pytest.mark.slow
def test_restore_refuses_a_backup_that_drops_its_database_from_the_manifest(app, backup,
                                                                            tmp_path):
    manifest = json.loads((backup / "manifest.json").read_text())
    del manifest["files"]["consent.sqlite"]
    text = json.dumps(manifest).encode()
    (backup / "manifest.json").write_bytes(text)
    (backup / "manifest.sig").write_text(keys.sign_bytes(text, keys.from_config(app.config)))
    result, untouched = restore_into_fresh(app, backup, tmp_path)
    assert result.exit_code != 0 and "does not list consent.sqlite" in result.output
    assert untouched


def test_a_timed_out_session_clears_the_browser_and_its_cookie(app, later):
    doctor = staff_client(app, "dr.house", "doctor")
    later["delta"] = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1)
    response = doctor.get("/review")
    assert response.headers["Location"].endswith("/login")
    assert response.headers["Clear-Site-Data"] == '"cache", "storage"'
    assert "consent_session=;" in response.headers["Set-Cookie"]
    page = doctor.get("/login").get_data(as_text=True)
    assert "data-idle-seconds" not in page  # the staff timer runs only while logged in


def test_staff_pages_carry_the_idle_timer(app):
    doctor = staff_client(app, "dr.house", "doctor")
    page = doctor.get("/review").get_data(as_text=True)
    assert f'data-idle-seconds="{app.config["SESSION_IDLE_MINUTES"] * 60}"' in page
    assert 'src="/static/staff.js"' in page
