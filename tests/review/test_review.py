import json
import re
from datetime import date, datetime, timedelta, timezone
from io import BytesIO
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from pypdf import PdfReader

from consent import workflow
from consent.evidence import archive
from consent.kernel import clock
from consent.kernel.storage import connect
from consent.staff import accounts

from conftest import (PASSWORD, TODAY, add_staff, config_for, countersign, log_in, make_app,
                      staff_client, valid_form)


@pytest.fixture
def frozen(monkeypatch):
    """A clock the test moves by hand."""
    moment = {"now": datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)}
    monkeypatch.setattr(clock, "now", lambda: moment["now"])
    return moment


def flagged(client, db, **answers):
    """Submit a flagged questionnaire from the tablet; return its id."""
    client.post("/", data=valid_form(**answers))
    return list(db["submissions"].rows_where(order_by="created_at desc"))[0]["id"]


def test_no_default_account_exists(db):
    assert db["users"].count == 0


def test_users_add_reads_the_password_from_stdin(runner, db):
    result = runner.invoke(args=["users", "add", "dr.who", "--role", "doctor",
                                 "--password-stdin"], input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    user = db["users"].get("dr.who")
    assert user["role"] == "doctor" and user["password_hash"].startswith("$argon2id$")
    result = runner.invoke(args=["users", "add", "x", "--role", "doctor", "--password-stdin"],
                           input="short\n")
    assert result.exit_code != 0 and "12 characters" in result.output


def test_cookie_replayed_after_logout_is_refused(app, doctor):
    COOKIE = app.config["STAFF_COOKIE"]
    token = doctor.get_cookie(COOKIE).value
    assert doctor.post("/logout").status_code == 302
    replay = app.test_client()
    replay.set_cookie(COOKIE, token)
    assert replay.get("/review").headers["Location"].endswith("/login")


def test_idle_and_absolute_timeouts(app, frozen):
    doctor = staff_client(app, "dr.house", "doctor")
    COOKIE = app.config["STAFF_COOKIE"]
    token = doctor.get_cookie(COOKIE).value
    frozen["now"] += timedelta(minutes=14)
    assert doctor.get("/review").status_code == 200  # activity keeps it alive
    frozen["now"] += timedelta(minutes=16)
    assert doctor.get("/review").status_code == 302
    replay = app.test_client()
    replay.set_cookie(COOKIE, token)
    frozen["now"] -= timedelta(minutes=20)  # even back in time, the session stays ended
    assert replay.get("/review").status_code == 302
    busy = staff_client(app, "dr.watson", "doctor")
    for _ in range(8 * 6):
        frozen["now"] += timedelta(minutes=10)
        busy.get("/review")
    frozen["now"] += timedelta(minutes=10)
    assert busy.get("/review").status_code == 302  # 8 hours at most, however busy


def test_same_answer_for_unknown_user_and_wrong_password(app, doctor):
    client = app.test_client()
    wrong = client.post("/login", data={"username": "dr.house", "password": "nope"})
    unknown = client.post("/login", data={"username": "nobody", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    def page(response, name):
        return re.sub(rb'name="csrf_token" value="[^"]*"', b"", response.data.replace(name, b"?"))
    assert page(wrong, b"dr.house") == page(unknown, b"nobody")


def test_throttling_holds_across_two_app_instances(tmp_path, monkeypatch):
    first = make_app(config_for(tmp_path))
    second = make_app(config_for(tmp_path))
    db = connect(first.config["DATABASE"])
    add_staff(db, "dr.house", "doctor")
    statuses = [(first, second)[attempt % 2].test_client().post(
        "/login", data={"username": "dr.house", "password": "wrong password"}).status_code
        for attempt in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]  # the wait is shared by both workers
    other = second.test_client().post("/login", data={"username": "dr.house",
                                                      "password": PASSWORD})
    assert other.status_code == 429  # from the guesser's address, even the right password
    later = clock.now() + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    owner = first.test_client()
    assert log_in(first, owner, "dr.house").status_code == 302
    page = owner.get("/review").get_data(as_text=True)
    assert "There were 3 failed log-in attempts on your account" in page


def test_password_is_rehashed_when_parameters_change(app, db):
    accounts.create(db, "dr.old", "doctor", PASSWORD)
    old = PasswordHasher(time_cost=1, memory_cost=8192).hash(PASSWORD)
    db["users"].update("dr.old", {"password_hash": old})
    app.test_client().post("/login", data={"username": "dr.old", "password": PASSWORD})
    assert db["users"].get("dr.old")["password_hash"] != old


def test_queue_lists_flagged_first_with_counts(client, doctor, db):
    flagged(client, db, cold_sore_now="yes", nsaids_last_week="yes")
    client.post("/", data=valid_form(first_name="Grace", last_name="Hopper",
                                     signed_name="Grace Hopper"))
    page = doctor.get("/review").get_data(as_text=True)
    assert page.index("Ada Lovelace") < page.index("Grace Hopper")
    assert "1 stop" in page and "1 advice" in page


def test_search_by_name_and_date_of_birth_is_posted(client, doctor, db):
    flagged(client, db, cold_sore_now="yes")
    hit = doctor.post("/review", data={"name": "lovel", "date_of_birth": "1985-12-10"})
    miss = doctor.post("/review", data={"name": "hopper"})
    assert "Ada Lovelace" in hit.get_data(as_text=True)
    assert "Nothing matches" in miss.get_data(as_text=True)


def test_submission_page_shows_flags_answers_and_history(client, doctor, db):
    client.post("/", data=valid_form(areas=["hands"]))  # an earlier cleared consent
    submission_id = flagged(client, db, cold_sore_now="yes",
                            questions_for_doctor="Will it hurt?")
    page = doctor.get(f"/review/{submission_id}").get_data(as_text=True)
    assert page.index("Active cold sore today") < page.index("<h2>Answers</h2>")
    assert "Will it hurt?" in page and "(flagged)" in page
    assert "Earlier consents" in page and "<td>Hands</td>" in page


@pytest.mark.slow
def test_decision_is_recorded_finalised_and_audited(app, client, doctor, db):
    submission_id = flagged(client, db, cold_sore_history="yes")
    response = doctor.post(f"/review/{submission_id}/decide",
                           data={"outcome": "approved", "note": "Aciclovir started."})
    assert response.status_code == 302
    decision = db["decisions"].get(submission_id)
    assert decision["doctor"] == "dr.house" and decision["decided_at"]
    assert db["submissions"].get(submission_id)["status"] == "awaiting_consent"
    assert doctor.get(f"/review/{submission_id}/pdf").status_code == 404  # not yet consented
    with app.app_context():
        countersign(app, db, submission_id)
    download = doctor.get(f"/review/{submission_id}/pdf")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    reader = PdfReader(BytesIO(download.data))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Approved by dr.house" in text and "Aciclovir started." in text
    record = json.loads(reader.attachments["consent-record.json"][0])
    assert record["decision"]["outcome"] == "approved"
    download.close()
    actions = [(row["action"], row["submission_id"]) for row in db["audit"].rows]
    assert ("decision", submission_id) in actions
    assert ("pdf_downloaded", submission_id) in actions
    assert all("Lovelace" not in json.dumps(row) for row in db["audit"].rows)
    again = doctor.post(f"/review/{submission_id}/decide", data={"outcome": "declined"})
    assert again.status_code == 409 and b"already been recorded" in again.data
    assert db["decisions"].get(submission_id)["outcome"] == "approved"


def test_approving_over_a_stop_flag_needs_a_reason(client, doctor, db):
    submission_id = flagged(client, db, cold_sore_now="yes")
    refused = doctor.post(f"/review/{submission_id}/decide", data={"outcome": "approved"})
    assert refused.status_code == 422 and b"write the reason" in refused.data
    assert db["decisions"].count == 0 and archive.entry(db, submission_id) is None
    done = doctor.post(f"/review/{submission_id}/decide", data={
        "outcome": "approved", "override_reason": "Lesion healed; checked in person."})
    assert done.status_code == 302 and db["decisions"].count == 1


def test_mesotherapy_approval_needs_product_and_batch(client, doctor, db):
    submission_id = flagged(client, db, treatment="mesotherapy_injection", keloid_history="yes")
    refused = doctor.post(f"/review/{submission_id}/decide", data={"outcome": "approved"})
    assert refused.status_code == 422 and b"batch or lot" in refused.data
    doctor.post(f"/review/{submission_id}/decide", data={
        "outcome": "approved", "product": "HA booster", "batch": "LOT-42"})
    assert db["decisions"].get(submission_id)["batch"] == "LOT-42"


@pytest.mark.slow
def test_audit_verify_detects_edited_and_deleted_rows(runner, client, doctor, db):
    submission_id = flagged(client, db, cold_sore_now="yes")
    doctor.get(f"/review/{submission_id}")
    doctor.post(f"/review/{submission_id}/decide", data={"outcome": "declined"})
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    with pytest.raises(Exception, match="write-once"):
        db.execute("update audit set username = 'someone else'")
    db.execute("drop trigger audit_no_update")
    db.execute("update audit set username = 'someone else' where action = 'decision'")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "entry fields do not match its hash" in result.output


def test_audit_verify_detects_a_removed_row(runner, client, doctor, db):
    submission_id = flagged(client, db, cold_sore_now="yes")
    doctor.get(f"/review/{submission_id}")
    db.execute("drop trigger audit_no_delete")
    db.execute("delete from audit where action = 'login'")
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "chain broken" in result.output


def test_kiosk_link_works_once(app, runner, db):
    app.config.update(PUBLIC_URL="https://consent.clinic.example", PUBLIC_URL_KNOWN=True)
    link = runner.invoke(args=["kiosk", "enrol", "Front desk"]).output.strip()
    assert link.startswith("https://consent.clinic.example/kiosk/enrol#")  # token after #
    token = link.split("#", 1)[1]
    tablet = app.test_client()
    assert tablet.get("/").status_code == 403
    assert tablet.post("/kiosk/enrol/status", data={"token": token}).json == {"valid": True}
    assert tablet.post("/kiosk/enrol", data={"token": token}).status_code == 302
    assert tablet.get("/").status_code == 200
    assert app.test_client().post("/kiosk/enrol", data={"token": token}).status_code == 410
    used = app.test_client().post("/kiosk/enrol/status", data={"token": token})
    assert used.json == {"valid": False}  # the page says so before any button is pressed


def test_admin_manages_users_and_tablets(app, admin, doctor, db):
    response = admin.post("/admin/users", data={"username": "dr.new", "full_name": "Nell New",
                                                "role": "doctor"})
    assert response.status_code == 200 and db["users"].get("dr.new")["role"] == "doctor"
    assert "http://127.0.0.1:5000/account/setup#" in response.get_data(as_text=True)
    assert admin.post("/admin/users/dr.house/disable").status_code == 302
    assert doctor.get("/review").status_code == 302  # a disabled doctor's session ends
    page = admin.post("/admin/kiosks", data={"name": "Room 2"}).get_data(as_text=True)
    assert "http://127.0.0.1:5000/kiosk/enrol#" in page  # PUBLIC_URL, never the Host header
    assert "http://localhost" not in page
    assert "Lovelace" not in admin.get("/admin").get_data(as_text=True)
    actions = [row["detail"] for row in db["audit"].rows if row["action"] == "user_changed"]
    assert "added dr.new as doctor" in actions and "disabled dr.house" in actions


@pytest.mark.parametrize("query, found", [("ada lov", True), ("LOVELACE", True),
                                          ("lóvelace", True), ('"ada', True), ("grace", False),
                                          ("velace", False), ("ada OR x*", False)])
def test_name_search_matches_word_prefixes_only(client, doctor, db, query, found):
    flagged(client, db, cold_sore_now="yes")
    page = doctor.post("/review", data={"name": query}).get_data(as_text=True)
    assert ("Ada Lovelace" in page) is found


def test_staff_screens_show_the_patients_words_not_codes(client, doctor, db):
    submission_id = flagged(client, db, cold_sore_now="yes", areas=["decolletage"],
                            treatment="mesotherapy_needling")
    queue = doctor.get("/review").get_data(as_text=True)
    page = doctor.get(f"/review/{submission_id}").get_data(as_text=True)
    for text in (queue, page):
        assert "Chest (décolletage)" in text and "décolletage" in text
        assert "Mesotherapy: micro-needling with active ingredients" in text
        assert "mesotherapy_needling" not in text.replace('value="mesotherapy', "")
    assert "Do you have a cold sore right now?" in page
    assert "answers: cold_sore_now" not in page


def test_override_reason_is_asked_only_when_a_stop_flag_fired(client, doctor, db):
    review_only = flagged(client, db, cold_sore_history="yes")  # a review flag, no stop
    page = doctor.get(f"/review/{review_only}").get_data(as_text=True)
    assert 'name="override_reason"' not in page
    stopped = flagged(client, db, first_name="Grace", last_name="Hopper",
                      signed_name="Grace Hopper", cold_sore_now="yes")
    assert 'name="override_reason"' in doctor.get(f"/review/{stopped}").get_data(as_text=True)


@pytest.mark.slow
def test_every_staff_action_says_what_it_did(client, doctor, admin, db):
    submission_id = flagged(client, db, cold_sore_history="yes")
    decided = doctor.post(f"/review/{submission_id}/decide", data={"outcome": "approved"},
                          follow_redirects=True).get_data(as_text=True)
    assert "Decision recorded: approved. A practitioner takes consent and countersigns next." \
        in decided
    declined = flagged(client, db, first_name="Grace", last_name="Hopper",
                       signed_name="Grace Hopper", cold_sore_history="yes")
    said = doctor.post(f"/review/{declined}/decide", data={"outcome": "declined"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Decision recorded: declined. The sealed record is in the archive." in said
    done = admin.post("/admin/users/dr.house/disable", follow_redirects=True)
    assert "dr.house is disabled. Their sessions have ended." in done.get_data(as_text=True)
    kiosk_id = next(db["kiosks"].rows)["id"]
    revoked = admin.post(f"/admin/kiosks/{kiosk_id}/revoke", follow_redirects=True)
    assert "The tablet is revoked" in revoked.get_data(as_text=True)
    page = admin.get("/admin").get_data(as_text=True)
    assert 'data-confirm="Disable alice' not in page  # never one's own account
    assert 'data-confirm="Revoke' not in page  # the only tablet is revoked already


@pytest.mark.slow
def test_the_doctors_name_and_registration_are_printed_on_the_record(app, db, client, admin):
    response = admin.post("/admin/users", data={
        "username": "dr.grey", "full_name": "Meredith Grey", "registration": "GMC 7654321",
        "role": "doctor"})
    assert response.status_code == 200 and "Meredith Grey (GMC 7654321)" in \
        response.get_data(as_text=True)
    client.post("/", data=valid_form(cold_sore_history="yes"))
    submission_id = next(db["submissions"].rows)["id"]
    with app.app_context():
        workflow.decide(db, app.config, submission_id, "dr.grey", "approved")
        countersign(app, db, submission_id)
    entry = archive.entry(db, submission_id)
    data = (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    assert "Approved by Meredith Grey (GMC 7654321) on" in text


@pytest.mark.parametrize("registration", ["1234567", "GMC", "gmc 1234567 <b>", "G 1"])
def test_a_malformed_registration_is_refused_next_to_its_field(admin, db, registration):
    response = admin.post("/admin/users", data={
        "username": "dr.x", "full_name": "X Y", "registration": registration, "role": "doctor"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "e.g. GMC 1234567." in page
    assert not db["users"].count_where("username = 'dr.x'")


def test_changes_since_the_last_visit_are_marked_for_the_doctor(app, db, client, doctor):
    client.post("/", data=valid_form(cold_sore_history="yes"))
    first = next(db["submissions"].rows)["id"]
    page = doctor.get(f"/review/{first}").get_data(as_text=True)
    assert "First visit at this clinic." in page and "(was:" not in page
    client.post("/", data=valid_form(cold_sore_history="yes", pregnant_or_breastfeeding="yes"))
    second = next(db["submissions"].rows_where("id != ?", [first]))["id"]
    page = doctor.get(f"/review/{second}").get_data(as_text=True)
    assert "1 health answer changed since the visit of 2 July 2026" in page  # same day
    row = re.search(r'<tr class="[^"]*changed[^"]*">(.*?)</tr>', page, re.S).group(1)
    assert "pregnant" in row and "(was: No)" in row
    assert page.count("<strong class=\"changed\">") == 1


@pytest.mark.parametrize("data, field, said", [
    ({}, "deferred_until", "Choose a date after the treatment date."),
    ({"deferred_until": "2026-07-02"}, "deferred_until", "Choose a date after the treatment"),
    ({"deferred_until": "2026-08-01"}, "note", "Write why the treatment is deferred."),
])
def test_a_deferral_needs_a_later_date_and_a_reason(app, db, client, doctor, data, field, said):
    client.post("/", data=valid_form(cold_sore_now="yes"))
    sid = next(db["submissions"].rows)["id"]
    response = doctor.post(f"/review/{sid}/decide", data={"outcome": "deferred", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(rf'id="q-{field}".*?{re.escape(said)}', page, re.S)
    assert db["decisions"].count == 0 and submissions_status(db, sid) == "needs_review"


def submissions_status(db, sid):
    return db["submissions"].get(sid)["status"]


@pytest.mark.slow
def test_a_deferred_treatment_is_sealed_as_an_eligibility_decision(app, db, client, doctor,
                                                                   runner):
    client.post("/", data=valid_form(cold_sore_now="yes"))
    sid = next(db["submissions"].rows)["id"]
    response = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "deferred", "deferred_until": "2026-07-20",
        "note": "Wait until the cold sore has healed."})
    assert response.status_code == 302 and submissions_status(db, sid) == "deferred"
    entry = archive.entry(db, sid)
    data = (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    assert text.startswith("Eligibility decision") and "not before 20 July 2026" in text
    assert "Note: Wait until the cold sore has healed." in text
    assert runner.invoke(args=["archive", "verify"]).exit_code == 0
    assert "Deferred until 20 July 2026." in doctor.get(f"/review/{sid}").get_data(as_text=True)


@pytest.mark.slow
def test_times_are_said_in_the_clinics_zone_never_as_iso_strings(app, db, client, doctor):
    client.post("/", data=valid_form(cold_sore_history="yes"))
    sid = next(db["submissions"].rows)["id"]
    with app.app_context():
        workflow.decide(db, app.config, sid, "dr.house", "approved")
        countersign(app, db, sid)
    row = db["submissions"].get(sid)
    assert row["signed_at"].startswith("2026-07-01T23:")  # stored in UTC
    entry = archive.entry(db, sid)
    data = (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(data)).pages)
    assert re.search(r"Signed on 2 July 2026, 00:\d\d BST\.", text)  # London, summer time
    assert re.search(r"Approved by dr\.house on 2 July 2026, 00:\d\d BST", text)
    assert "Treatment date 2 July 2026" in text and "Date of birth 10 December 1985" in text
    assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:", text)  # no raw ISO moment printed
    page = doctor.get(f"/review/{sid}").get_data(as_text=True)
    assert re.search(r"on 2 July 2026, 00:\d\d BST", page)


@pytest.mark.parametrize("answers, too_soon, earliest, why", [
    # Isotretinoin stopped in February 2026 (the month's last day counts): six whole months.
    ({"isotretinoin": "stopped", "isotretinoin_stopped_date": "2026-02"},
     date(2026, 8, 27), date(2026, 8, 28), "isotretinoin stopped"),
    # A session on the face 3 days before the treatment date: 7 days from that session.
    ({"had_previous_session": "yes", "last_session_areas": ["face"],
      "last_session_date": (TODAY - timedelta(days=3)).isoformat()},
     TODAY + timedelta(days=3), TODAY + timedelta(days=4), "the last session on the same area"),
])
def test_a_deferral_inside_a_waiting_window_is_refused_with_the_earliest_date(
        app, db, client, doctor, answers, too_soon, earliest, why):
    client.post("/", data=valid_form(**answers))
    sid = next(db["submissions"].rows)["id"]
    note = {"outcome": "deferred", "note": "Inside a waiting window."}
    refused = doctor.post(f"/review/{sid}/decide",
                          data={**note, "deferred_until": too_soon.isoformat()})
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and db["decisions"].count == 0
    assert f"({why}): the earliest is {clock.spoken(earliest.isoformat())}." in page
    assert doctor.post(f"/review/{sid}/decide", data={
        **note, "deferred_until": earliest.isoformat()}).status_code == 302


@pytest.mark.parametrize("changes, field, said", [
    ({"excluded_areas": ["face", "neck"]}, "excluded_areas", "not all: to treat none, decline"),
    ({"excluded_areas": ["neck"], "outcome": "declined"}, "outcome", "approve with changes"),
    ({"max_depth_mm": "3.0"}, "max_depth_mm", "Set a depth from 0.1 mm and below"),
    ({"max_depth_mm": "0.05"}, "max_depth_mm", "from 0.1 mm"),
])
def test_changes_that_leave_nothing_or_limit_nothing_are_refused(app, db, client, doctor,
                                                                 changes, field, said):
    client.post("/", data=valid_form(cold_sore_history="yes"))
    sid = next(db["submissions"].rows)["id"]
    response = doctor.post(f"/review/{sid}/decide", data={"outcome": "approved", **changes})
    assert response.status_code == 422 and db["decisions"].count == 0
    assert re.search(rf'id="q-{field}".*?{re.escape(said)}', response.get_data(as_text=True),
                     re.S)


@pytest.mark.slow
def test_approved_with_changes_the_record_keeps_to_them(app, db, client, doctor, practitioner):
    client.post("/", data=valid_form(cold_sore_history="yes"))
    sid = next(db["submissions"].rows)["id"]
    decided = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "approved", "excluded_areas": ["neck"], "max_depth_mm": "0.5",
        "note": "Neck too thin today; light needling only."})
    assert decided.status_code == 302
    assert db["decisions"].get(sid)["excluded_areas"] == "neck"
    with app.app_context():
        assert countersign(app, db, sid)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(BytesIO(
        (Path(app.config["ARCHIVE_DIR"]) / archive.entry(db, sid)["path"]).read_bytes())).pages)
    assert "Approved with changes: not on the neck; needle depth at most 0.5 mm." in text
    page = practitioner.get(f"/practice/{sid}/treatment").get_data(as_text=True)
    assert "With changes: not on the neck; needle depth at most 0.5 mm." in page
    treated = {"outcome": "treated", "areas": ["face"], "device_face": "Dermapen 4",
               "needle_depth_mm_face": "0.5", "reaction": ""}
    for changes, field, said in (
            ({"areas": ["face", "neck"], "device_neck": "Dermapen 4",
              "needle_depth_mm_neck": "0.5"}, "areas", "not on the neck"),
            ({"needle_depth_mm_face": "0.75"}, "needle_depth_mm_face", "at most 0.5 mm")):
        refused = practitioner.post(f"/practice/{sid}/treatment", data={**treated, **changes})
        assert refused.status_code == 422 and said in refused.get_data(as_text=True)
        assert f'id="{field}-error"' in refused.get_data(as_text=True)
    assert practitioner.post(f"/practice/{sid}/treatment", data=treated).status_code == 302
    assert app.test_cli_runner().invoke(args=["archive", "verify"]).exit_code == 0
