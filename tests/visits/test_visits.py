"""Visits, the patient's own links, cooling-off, the patient's copy, aftercare and reactions.

E-mail goes through a real SMTP server on 127.0.0.1 (aiosmtpd) that insists on STARTTLS.
"""
import io
import re
from datetime import timedelta

import pytest
from PIL import Image

from consent.kernel import clock
from consent.kernel.storage import connect
from consent.visits import reactions

from conftest import (CONFIRMED_FORM, FROZEN, PIN, TODAY, TREATED, archived_bytes, config_for,
                      make_app, signer, staff_client, text_of, valid_form)

LINK = re.compile(r"https://\S+/visit#(\S+)")
DOB = "1985-12-10"


@pytest.fixture
def app(tmp_path, smtp):
    return make_app(config_for(tmp_path, PUBLIC_URL="https://clinic.example", **smtp.config()))


@pytest.fixture
def db(app):
    database = connect(app.config["DATABASE"])
    yield database
    database.conn.close()


@pytest.fixture
def reception(app):
    return staff_client(app, "rita", "reception")


def book(reception, **changes):
    """Book Ada's visit today through reception's form; return the response."""
    data = {"first_name": "Ada", "last_name": "Lovelace", "date_of_birth": DOB,
            "email": "ada@example.com", "phone": "", "treatment": "microneedling",
            "visit_date": TODAY.isoformat(), **changes}
    return reception.post("/reception/visits/new", data=data)


def deliver(app):
    """Run the outbox once, as the timer does."""
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0, result.output
    return result.output


def newest_link(smtp):
    """Return the token of the newest link the SMTP server received."""
    return LINK.search(smtp.bodies()[-1][1]).group(1)


def open_link(client, token, dob=DOB):
    return client.post("/visit", data={"token": token, "date_of_birth": dob})


def answer_at_home(app, reception, smtp, **visit):
    """Book a visit, deliver its link, and answer the questionnaire from a phone."""
    assert book(reception, **visit).status_code == 302
    deliver(app)
    phone = app.test_client()
    assert open_link(phone, newest_link(smtp)).headers["Location"] == "/visit/questionnaire"
    sent = phone.post("/visit/questionnaire", data=valid_form(
        treatment=visit.get("treatment", "microneedling")))
    assert sent.status_code == 302 and sent.headers["Location"] == "/visit/thanks", \
        sent.get_data(as_text=True)[-2000:]
    return phone


def health_words(db):
    """Everything a message must not carry: answers, treatment, areas, date of birth, names."""
    return ["Ada", "Lovelace", DOB, "10 December", "needling", "mesotherapy", "face", "neck",
            "ageing", "cold sore", "consented"]


def test_reception_books_a_visit_and_the_link_arrives_with_no_health_data(app, reception, smtp,
                                                                          db):
    assert book(reception).status_code == 302
    assert smtp.bodies() == []  # sent outside the request
    queued = "\n".join(db.conn.iterdump())
    assert "1 sent" in deliver(app)
    ((subject, body),) = smtp.bodies()
    assert LINK.search(body) and "clinic.example/visit#" in body
    for word in health_words(db):
        assert word.lower() not in (subject + body).lower(), word
    row = next(db["outbox"].rows)
    assert row["sent_at"] and row["body"] == ""  # the link does not stay in the database
    token = LINK.search(body).group(1)  # made as it was sent: never in the database
    assert token not in queued and token not in "\n".join(db.conn.iterdump())
    visit = next(db["visits"].rows)
    assert visit["information_sent_at"] and visit["opened_at"] is None
    page = reception.get(f"/reception?day={TODAY.isoformat()}").get_data(as_text=True)
    assert "Ada Lovelace" in page and "not answered yet" in page
    assert open_link(app.test_client(), token).status_code == 302  # and it opens


def test_reception_sends_a_link_again_until_the_patient_has_answered(app, reception, smtp,
                                                                      db):
    book(reception)
    deliver(app)
    visit_id = next(db["visits"].rows)["id"]
    again = reception.post(f"/reception/visits/{visit_id}/send")
    assert again.status_code == 302
    deliver(app)
    first, second = [LINK.search(body).group(1) for _, body in smtp.bodies()]
    assert first != second
    phone = app.test_client()
    open_link(phone, first)  # the first still works, until the questionnaire is sent
    # At home too, the patient reads what their answers mean before they sign.
    told = phone.post("/visit/questionnaire/for-you", data=valid_form(anticoagulants="yes"))
    assert any("blood thinner" in line for line in told.json["lines"])
    assert phone.post("/visit/questionnaire", data=valid_form()).status_code == 302
    late = open_link(app.test_client(), second)  # one visit, one set of answers
    assert late.status_code == 410 and b"already been sent" in late.data
    page = reception.get(f"/reception?day={TODAY.isoformat()}").get_data(as_text=True)
    assert "Send again" not in page
    reception.post(f"/reception/visits/{visit_id}/send")
    assert db["outbox"].count == 2  # answered: no third link
    assert db["audit"].count_where("action = 'link_sent'") == 2


def test_two_links_opened_at_once_bring_one_set_of_answers(app, reception, smtp, db):
    book(reception)
    visit_id = next(db["visits"].rows)["id"]
    reception.post(f"/reception/visits/{visit_id}/send")
    deliver(app)
    phones = [app.test_client(), app.test_client()]
    for phone, (_, body) in zip(phones, smtp.bodies()):
        assert open_link(phone, LINK.search(body).group(1)).status_code == 302
    assert phones[0].post("/visit/questionnaire", data=valid_form()).status_code == 302
    assert phones[1].post("/visit/questionnaire", data=valid_form()).status_code == 403
    assert db["submissions"].count == 1


def test_reception_form_errors_sit_next_to_their_field_and_store_nothing(reception, db):
    response = book(reception, email="", phone="", visit_date="2026-06-01")
    assert response.status_code == 422
    assert db["visits"].count == 0
    nothing = book(reception, email="", phone="")
    assert nothing.status_code == 422 and b"Give an e-mail address or a phone" in nothing.data
    assert db["visits"].count == 0


def test_a_wrong_date_of_birth_five_times_locks_the_link(app, reception, smtp, db):
    book(reception)
    deliver(app)
    token, phone = newest_link(smtp), app.test_client()
    for left in (4, 3, 2, 1):
        wrong = open_link(phone, token, "1985-10-12")
        assert wrong.status_code == 422
        assert f"Tries left: {left}." in wrong.get_data(as_text=True)
        page = wrong.get_data(as_text=True)  # the token stays off the screen
        assert f'<input type="hidden" name="token" class="link-token" value="{token}">' in page
        assert page.count(token) == 1 and 'id="token"' not in page
    locked = open_link(phone, token, "1985-10-12")
    assert locked.status_code == 422 and b"now locked" in locked.data
    right = open_link(phone, token)  # even the right date no longer opens it
    assert right.status_code == 410 and b"locked" in right.data
    assert phone.get("/visit/questionnaire").status_code == 403
    assert db["login_failures"].count_where("address = '127.0.0.1'") == 5


def test_link_guesses_are_throttled_per_address(app, reception, smtp):
    app.config["LOGIN_MAX_PER_ADDRESS"] = 3
    book(reception)
    deliver(app)
    token, phone = newest_link(smtp), app.test_client()
    for _ in range(3):
        assert open_link(phone, token, "2000-01-01").status_code == 422
    throttled = open_link(phone, token)  # the right date, but from an address that guessed
    assert throttled.status_code == 429 and b"Too many attempts" in throttled.data


def test_an_expired_link_and_an_unknown_one_do_not_open(app, reception, smtp, monkeypatch):
    book(reception)
    deliver(app)
    token = newest_link(smtp)
    assert open_link(app.test_client(), "not-a-token").status_code == 410
    # Past the end of the treatment date (never later): the link has expired.
    monkeypatch.setattr(clock, "now", lambda: FROZEN + timedelta(days=1))
    expired = open_link(app.test_client(), token)
    assert expired.status_code == 410 and b"expired" in expired.data


def test_the_questionnaire_at_home_is_stored_once_for_the_visit(app, reception, smtp, db):
    phone = answer_at_home(app, reception, smtp)
    (row,) = db["submissions"].rows
    visit = next(db["visits"].rows)
    assert visit["submission_id"] == row["id"] and visit["opened_at"]
    assert row["treatment_date"] == TODAY.isoformat() and row["status"] == "awaiting_consent"
    # The link is spent: neither the same browser nor a new one gets the form again.
    assert phone.get("/visit/questionnaire").status_code == 403
    again = open_link(app.test_client(), newest_link(smtp))
    assert again.status_code == 410 and b"already been sent" in again.data
    assert db["submissions"].count == 1
    page = reception.get(f"/reception?day={TODAY.isoformat()}").get_data(as_text=True)
    assert "awaiting consent" in page and "cold sore" not in page.lower()


def test_the_date_of_birth_in_the_answers_must_be_the_booked_one(app, reception, smtp, db):
    book(reception)
    deliver(app)
    phone = app.test_client()
    open_link(phone, newest_link(smtp))
    form = phone.get("/visit/questionnaire").get_data(as_text=True)
    assert 'value="Ada"' in form and f'value="{DOB}"' in form  # filled from the booking
    sent = phone.post("/visit/questionnaire", data=valid_form(date_of_birth="1985-12-11"))
    assert sent.status_code == 422 and b"not the date of birth the clinic has" in sent.data
    assert db["submissions"].count == 0


def test_an_opened_link_closes_after_idle_minutes(app, reception, smtp, monkeypatch):
    book(reception)
    deliver(app)
    phone = app.test_client()
    open_link(phone, newest_link(smtp))
    assert phone.get("/visit/questionnaire").status_code == 200
    later = FROZEN + timedelta(minutes=16)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert phone.get("/visit/questionnaire").status_code == 403


def countersign_form(**changes):
    return {**CONFIRMED_FORM, "pin": PIN, **changes}


@pytest.mark.slow
def test_cooling_off_refuses_early_countersigning_unless_a_doctor_writes_why(app, reception,
                                                                           smtp, db):
    # Booked for the first day the 24 hours allow; it is countersigned before then.
    answer_at_home(app, reception, smtp, treatment="mesotherapy_needling",
                   visit_date=(TODAY + timedelta(days=1)).isoformat())
    sid = next(db["submissions"].rows)["id"]
    nurse, doctor = signer(app, "nurse.joy", "practitioner"), signer(app, "dr.house", "doctor")
    refused = nurse.post(f"/practice/{sid}", data=countersign_form())
    assert refused.status_code == 422 and b"Only a doctor can countersign" in refused.data
    no_reason = doctor.post(f"/practice/{sid}", data=countersign_form())
    assert no_reason.status_code == 422 and b"Write why treatment cannot wait" in no_reason.data
    assert db["consents"].count == 0
    done = doctor.post(f"/practice/{sid}", data=countersign_form(
        cooling_off_reason="Flying abroad tomorrow; risks discussed twice.",
        unchanged_confirmed="y"))
    assert done.status_code == 302
    text = text_of(archived_bytes(app, db, sid))
    assert db["audit"].count_where("action = 'cooling_off_waived' and username = 'dr.house'") == 1
    assert "Countersigned before the cooling-off period ended" in text
    assert "Flying abroad tomorrow; risks discussed twice." in text
    assert "first opened on" in text and "confirmed in person" in text


@pytest.mark.slow
def test_after_the_cooling_off_period_a_practitioner_countersigns(app, reception, smtp, db,
                                                                monkeypatch):
    tomorrow = (TODAY + timedelta(days=2)).isoformat()
    answer_at_home(app, reception, smtp, treatment="mesotherapy_injection", visit_date=tomorrow)
    sid = next(db["submissions"].rows)["id"]
    nurse = signer(app, "nurse.joy", "practitioner")
    assert nurse.post(f"/practice/{sid}", data=countersign_form()).status_code == 422
    later = FROZEN + timedelta(hours=25)
    monkeypatch.setattr(clock, "now", lambda: later)
    nurse = signer(app, "nurse.kay", "practitioner")  # a fresh log-in, a day later
    assert nurse.post(f"/practice/{sid}", data=countersign_form()).status_code == 302


@pytest.mark.slow
def test_the_patients_copy_aftercare_and_a_reaction_report(app, reception, smtp, db):
    answer_at_home(app, reception, smtp)
    sid = next(db["submissions"].rows)["id"]
    nurse = signer(app, "nurse.joy", "practitioner")
    assert nurse.post(f"/practice/{sid}", data=countersign_form()).status_code == 302
    deliver(app)
    copy_link, phone = newest_link(smtp), app.test_client()
    assert open_link(phone, copy_link).headers["Location"] == "/visit/copy"
    pdf = phone.get("/visit/copy.pdf")
    assert pdf.status_code == 200 and pdf.data == archived_bytes(app, db, sid)
    pdf.close()
    assert db["audit"].count_where("action = 'patient_copy_downloaded'") == 1
    assert nurse.post(f"/practice/{sid}/treatment", data=TREATED).status_code == 302
    deliver(app)
    for subject, body in smtp.bodies():
        for word in health_words(db):
            assert word.lower() not in (subject + body).lower(), word
    phone = app.test_client()
    assert open_link(phone, newest_link(smtp)).headers["Location"] == "/visit/aftercare"
    page = phone.get("/visit/aftercare").get_data(as_text=True)
    assert "SPF 50+" in page and "Warning signs" in page and "9 July 2026" in page
    photo, exif = io.BytesIO(), Image.Exif()
    exif[0x010F] = "PhoneMaker"  # the camera's maker: metadata a re-encoded photo drops
    Image.new("RGB", (3000, 2000), "pink").save(photo, format="JPEG", exif=exif)
    assert Image.open(io.BytesIO(photo.getvalue())).getexif()
    sent = phone.post("/visit/aftercare", data={
        "what": "Redness spreading down my cheek since yesterday", "area": "face",
        "since": TODAY.isoformat(), "photo": (io.BytesIO(photo.getvalue()), "cheek.jpg")},
        content_type="multipart/form-data")
    assert sent.status_code == 302, sent.get_data(as_text=True)[-1500:]
    (report,) = db["reactions"].rows
    assert report["urgent"] == 1 and report["submission_id"] == sid
    stored = Image.open(io.BytesIO(report["photo"]))
    assert stored.format == "JPEG" and max(stored.size) == reactions.PHOTO_SIDE
    assert not stored.getexif()  # no maker, no location
    doctor = staff_client(app, "dr.house", "doctor")
    assert "1 reaction report not yet seen, 1 urgent" in doctor.get("/review").get_data(
        as_text=True)
    queue = doctor.get("/review/reactions").get_data(as_text=True)
    assert "urgent" in queue and "Redness spreading" in queue and "Ada Lovelace" in queue


@pytest.mark.slow
def test_a_photo_that_is_not_an_image_is_refused_next_to_its_field(app, reception, smtp, db):
    _, phone = aftercare_opened(app, reception, smtp, db)
    sent = phone.post("/visit/aftercare", data={
        "what": "A small bump", "area": "face", "since": TODAY.isoformat(),
        "photo": (io.BytesIO(b"<script>not a photo</script>"), "x.jpg")},
        content_type="multipart/form-data")
    assert sent.status_code == 422 and b"not a photo we can read" in sent.data, sent.data[-3000:]
    assert db["reactions"].count == 0


@pytest.mark.slow
def test_a_batch_named_in_two_reports_is_highlighted(app, db):
    from consent.intake import submissions
    from consent.intake.questionnaire import vocabulary
    from consent.intake.rules import load

    from conftest import NO_COOLING_OFF, TREATED_FACE, countersign, patient, treat
    with app.app_context():
        ruleset = load(app.config["RULES_FILE"], vocabulary())
    app.config["COOLING_OFF_HOURS"] = NO_COOLING_OFF
    product = {"name": "Vitamin C serum", "batch": "VC-1", "expiry": "2027-01-31"}
    for first in ("Ada", "Mary", "Emmy"):
        row = submissions.submit(db, ruleset, patient(first_name=first, signed_name=f"{first} "
                                                      "Lovelace", treatment="mesotherapy_needling"),
                                 b"png", TODAY)
        countersign(app, db, row["id"], seal=False)
        batch = product if first != "Emmy" else {**product, "batch": "VC-2"}
        treat(app, db, row["id"], details={**TREATED_FACE, "products": [batch]})
        reactions.report(db, app.extensions["consent.reaction_signs"], row["id"],
                         "Itchy bumps", "face", TODAY)
    rows, alerts = reactions.queue(db)
    assert alerts == [("Vitamin C serum", "VC-1")]
    assert sum(bool(r["alert_batches"]) for r in rows) == 2


def test_the_outbox_keeps_messages_while_the_server_is_down(app, reception, smtp, db,
                                                            monkeypatch):
    smtp.stop()
    book(reception)
    assert "0 sent, 1 to retry" in deliver(app)
    row = next(db["outbox"].rows)
    assert row["attempts"] == 1 and row["sent_at"] is None and row["body"]
    assert "0 sent, 0 to retry" in deliver(app)  # backing off: not due yet
    smtp.start()
    later = FROZEN + timedelta(minutes=3)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert "1 sent" in deliver(app)
    assert len(smtp.bodies()) == 1 and next(db["outbox"].rows)["sent_at"]


def test_the_clinic_can_rewrite_a_message(app, reception, smtp):
    from pathlib import Path
    folder = Path(app.instance_path) / "mail"
    folder.mkdir()
    (folder / "questionnaire.txt").write_text(
        "Subject: Your visit at {{ clinic_name }}\nOpen {{ link }} before {{ expires }}.\n")
    book(reception)
    deliver(app)
    ((subject, body),) = smtp.bodies()
    assert subject.startswith("Your visit at") and body.startswith("Open https://")


MEASURE = """
import io, resource, struct, sys, zlib
from PIL import Image
from consent.visits import reactions

def png_bomb(side):
    pack = lambda kind, data: (struct.pack(">I", len(data)) + kind + data
                               + struct.pack(">I", zlib.crc32(kind + data)))
    squeeze, row = zlib.compressobj(9), b"\\0" * (1 + 3 * side)
    body = b"".join(squeeze.compress(row) for _ in range(side)) + squeeze.flush()
    return (b"\\x89PNG\\r\\n\\x1a\\n" + pack(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0))
            + pack(b"IDAT", body) + pack(b"IEND", b""))

photo = io.BytesIO()
Image.new("RGB", (4000, 3000), "pink").save(photo, format="JPEG")  # a 12-megapixel phone photo
bomb, photo = png_bomb(7000), photo.getvalue()
baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    reactions.reencode(bomb)
    print("bomb accepted")
except reactions.PhotoError:
    print("bomb refused", len(bomb))
print("photo side", max(Image.open(io.BytesIO(reactions.reencode(photo))).size))
print("peak kB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - baseline)
"""


@pytest.mark.slow
def test_a_photo_is_decoded_within_a_fixed_memory_bound():
    import subprocess
    import sys

    # A process of its own, so that its peak memory is this decoding's alone.
    out = subprocess.run([sys.executable, "-c", MEASURE], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    refused, size = out[0].rsplit(" ", 1)
    assert refused == "bomb refused" and int(size) < 200_000  # 49 megapixels, a few kB
    assert out[1] == f"photo side {reactions.PHOTO_SIDE}"
    assert int(out[2].split()[-1]) < 64 * 1024, out


def aftercare_opened(app, reception, smtp, db):
    """Answer at home, be treated and open the aftercare link; return (nurse, phone)."""
    answer_at_home(app, reception, smtp)
    sid = next(db["submissions"].rows)["id"]
    nurse = signer(app, "nurse.joy", "practitioner")
    nurse.post(f"/practice/{sid}", data=countersign_form())
    nurse.post(f"/practice/{sid}/treatment", data=TREATED)
    deliver(app)
    phone = app.test_client()
    open_link(phone, newest_link(smtp))
    return nurse, phone


def report_on_aftercare(app, reception, smtp, db, what):
    """Answer at home, be treated, open the aftercare link and report a reaction."""
    nurse, phone = aftercare_opened(app, reception, smtp, db)
    sent = phone.post("/visit/aftercare", data={"what": what, "area": "face",
                                                "since": TODAY.isoformat()})
    assert sent.status_code == 302, sent.get_data(as_text=True)[-1500:]
    return nurse, phone.get(sent.headers["Location"]).get_data(as_text=True)


@pytest.mark.slow
def test_an_urgent_report_is_mailed_to_the_clinic_and_shown_on_every_staff_page(
        app, reception, smtp, db):
    app.config["CLINIC_ALERT_EMAIL"] = "doctors@clinic.example"
    nurse, said = report_on_aftercare(app, reception, smtp, db,
                                      "Ada: my upper lip is swelling and I feel faint")
    assert "Call 999 now" in said
    deliver(app)
    subject, body = smtp.bodies()[-1]
    assert subject == "Urgent reaction report at The Skin Clinic"
    assert "https://clinic.example/review/reactions" in body
    for word in health_words(db):
        assert word.lower() not in (subject + body).lower(), word
    assert "lip" not in body and "faint" not in body
    for client, page in ((nurse, "/today"), (reception, "/reception")):
        text = client.get(page).get_data(as_text=True)
        assert "1 reaction report not yet seen by a doctor, 1 urgent" in text, page
    doctor = staff_client(app, "dr.house", "doctor")
    listed = doctor.get("/review/reactions").get_data(as_text=True)
    assert "emergency: patient told to call 999" in listed and "anaphylaxis" in listed


@pytest.mark.slow
def test_a_routine_report_alerts_nobody_by_mail(app, reception, smtp, db):
    app.config["CLINIC_ALERT_EMAIL"] = "doctors@clinic.example"
    _, said = report_on_aftercare(app, reception, smtp, db, "A small itchy bump")
    assert "Call 999" not in said
    deliver(app)
    assert not any("Urgent reaction" in subject for subject, _ in smtp.bodies())
    assert db["outbox"].count_where("to_address = 'doctors@clinic.example'") == 0


def test_every_message_has_a_date_and_an_id_and_says_when_the_visit_is(app, reception, smtp,
                                                                        db):
    assert book(reception, visit_time="10:30").status_code == 302
    visit = next(db["visits"].rows)
    page = reception.get(f"/reception?day={TODAY.isoformat()}").get_data(as_text=True)
    assert "queued: waiting for the mail server" in page and "10:30" in page
    deliver(app)
    (message,) = smtp.inbox.messages
    assert message["Date"] and message["Message-ID"].endswith("@test.invalid>")
    spoken = f"{TODAY:%A} {TODAY.day} {TODAY:%B %Y} at 10:30"
    assert spoken in message.get_body(("plain",)).get_content()
    page = reception.get(f"/reception?day={TODAY.isoformat()}").get_data(as_text=True)
    assert "queued" not in page and "sent " in page
    assert visit["visit_time"] == "10:30"


def test_reception_reschedules_and_cancels_a_visit_and_its_links_stop(app, reception, smtp,
                                                                      db):
    book(reception)
    deliver(app)
    token, visit_id = newest_link(smtp), next(db["visits"].rows)["id"]
    form = reception.get(f"/reception/visits/{visit_id}/edit").get_data(as_text=True)
    assert 'value="Ada"' in form and "Save the changes" in form
    tomorrow = TODAY + timedelta(days=1)
    moved = book(reception, visit_date=tomorrow.isoformat(), visit_time="14:15")
    assert moved.status_code == 302  # (a second booking; now change the first one)
    changed = reception.post(f"/reception/visits/{visit_id}/edit", data={
        "first_name": "Ada", "last_name": "Lovelace", "date_of_birth": DOB,
        "email": "ada@example.com", "phone": "", "treatment": "microneedling",
        "visit_date": tomorrow.isoformat(), "visit_time": "09:45"})
    assert changed.status_code == 302, changed.get_data(as_text=True)[-1500:]
    row = db["visits"].get(visit_id)
    assert (row["treatment_date"], row["visit_time"]) == (tomorrow.isoformat(), "09:45")
    cancelled = reception.post(f"/reception/visits/{visit_id}/cancel")
    assert cancelled.status_code == 302 and db["visits"].get(visit_id)["cancelled_at"]
    refused = open_link(app.test_client(), token)
    assert refused.status_code == 410 and b"This visit was cancelled" in refused.data
    day = reception.get(f"/reception?day={tomorrow.isoformat()}").get_data(as_text=True)
    assert "cancelled" in day and "09:45" in day and "14:15" in day
    assert db["audit"].count_where("action in ('visit_changed', 'visit_cancelled')") == 2


def test_an_answered_visit_may_move_but_not_change_patient(app, reception, smtp, db):
    answer_at_home(app, reception, smtp)
    visit_id = next(db["visits"].rows)["id"]
    renamed = reception.post(f"/reception/visits/{visit_id}/edit", data={
        "first_name": "Grace", "last_name": "Lovelace", "date_of_birth": DOB,
        "email": "ada@example.com", "phone": "", "treatment": "microneedling",
        "visit_date": TODAY.isoformat()})
    assert renamed.status_code == 422 and b"only the day and time" in renamed.data
    assert db["visits"].get(visit_id)["first_name"] == "Ada"


def test_the_booking_form_says_which_treatments_need_booking_ahead(reception):
    page = reception.get("/reception/visits/new").get_data(as_text=True)
    assert "Book ahead:" in page and "needs 24 hours" in page
    empty = reception.post("/reception/visits/new", data={})
    assert b"Enter the first name." in empty.data and b"This field is required" not in empty.data


def test_cooling_off_is_shown_to_the_doctor_and_on_today_before_anyone_is_refused(app, db):
    from conftest import enrolled_client
    tablet = enrolled_client(app)
    assert tablet.post("/", data=valid_form(treatment="mesotherapy_needling",
                                            cold_sore_history="yes")).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    ends = clock.spoken(clock.iso(FROZEN + timedelta(hours=24)), "Europe/London")
    doctor = signer(app, "dr.house", "doctor")
    page = doctor.get(f"/review/{sid}").get_data(as_text=True)
    assert f"Cooling-off until {ends}" in page and f"Approve: treat from {ends}" in page
    assert "Approve: treat today" not in page
    nurse = signer(app, "nurse.joy", "practitioner")
    assert f"cooling-off until {ends}" in nurse.get("/today").get_data(as_text=True)
    decided = doctor.post(f"/review/{sid}/decide", data={
        "outcome": "approved", "product": "Vitamin C serum", "batch": "VC-1"})
    assert decided.status_code == 302, decided.get_data(as_text=True)[-2000:]
    assert f"cooling-off until {ends}" in nurse.get("/today").get_data(as_text=True)


@pytest.mark.slow
def test_the_patient_withdraws_a_photo_permission_through_their_link(app, reception, smtp, db,
                                                                     runner, tmp_path):
    assert book(reception).status_code == 302
    deliver(app)
    phone = app.test_client()
    open_link(phone, newest_link(smtp))
    assert phone.post("/visit/questionnaire", data=valid_form(
        photo_consent="yes", photo_teaching="yes")).status_code == 302
    sid = next(db["submissions"].rows)["id"]
    nurse = signer(app, "nurse.joy", "practitioner")
    assert nurse.post(f"/practice/{sid}", data=countersign_form()).status_code == 302
    deliver(app)
    phone = app.test_client()
    open_link(phone, newest_link(smtp))
    page = phone.get("/visit/photos").get_data(as_text=True)
    assert "May those photos be used, without your name, to teach clinicians?" in page
    assert "social media" not in page  # never given: nothing to withdraw
    empty = phone.post("/visit/photos", data={})
    assert empty.status_code == 422 and 'id="withdraw-error"' in empty.get_data(as_text=True)
    # Only what was given can be withdrawn: a forged choice is refused, nothing stored.
    forged = phone.post("/visit/photos", data={"withdraw": ["photo_marketing"]})
    assert forged.status_code == 422 and db["photo_withdrawals"].count == 0
    done = phone.post("/visit/photos", data={"withdraw": ["photo_teaching"]})
    assert done.status_code == 302
    assert [r["permission"] for r in db["photo_withdrawals"].rows] == ["photo_teaching"]
    assert db["audit"].count_where("action = 'photo_permission_withdrawn'") == 1
    assert "Withdrawn on" in phone.get("/visit/photos").get_data(as_text=True)
    staff = nurse.get(f"/practice/{sid}").get_data(as_text=True)
    assert "The patient withdrew photo permission" in staff and "teach clinicians" in staff
    exported = runner.invoke(args=["fhir", "export", "--since", "2026-01-01",
                                   str(tmp_path / "fhir")])
    assert exported.exit_code == 0, exported.output
    bundle = (tmp_path / "fhir" / f"{sid}.fhir.json").read_text()
    assert "photo-permission-withdrawn" in bundle and "photo_teaching withdrawn" in bundle
    with pytest.raises(Exception, match="write-once"):
        db.execute("delete from photo_withdrawals")


@pytest.mark.parametrize("changes, said", [
    ({"treatment": "mesotherapy_needling"}, "needs 24 hours to reflect after the patient reads "
                                            "about it: the earliest is 3 July 2026, 00:30 BST"),
    ({"treatment": "mesotherapy_needling", "visit_date": (TODAY + timedelta(days=1)).isoformat(),
      "visit_time": "00:15"}, "the earliest is 3 July 2026, 00:30 BST"),
])
def test_a_booking_inside_the_cooling_off_is_refused_with_the_earliest_time(reception, db,
                                                                            changes, said):
    refused = book(reception, **changes)
    assert refused.status_code == 422 and said in refused.get_data(as_text=True)
    assert 'id="visit_date-error"' in refused.get_data(as_text=True)
    assert db["visits"].count == 0
    fine = book(reception, **{**changes, "visit_time": "00:45",
                              "visit_date": (TODAY + timedelta(days=1)).isoformat()})
    assert fine.status_code == 302


def test_a_booking_inside_the_isotretinoin_window_the_patient_told_of_is_refused(app, reception,
                                                                                db):
    from conftest import enrolled_client
    assert enrolled_client(app).post("/", data=valid_form(
        isotretinoin="stopped", isotretinoin_stopped_date="2026-05-10")).status_code == 302
    refused = book(reception, visit_date="2026-11-09")
    assert refused.status_code == 422 and "(isotretinoin stopped, as the patient told the " \
        "clinic): the earliest is 10 November 2026" in refused.get_data(as_text=True)
    assert book(reception, visit_date="2026-11-10").status_code == 302
