"""A booked visit end to end over HTTPS: reception, the e-mailed link on a phone, the
practitioner, the patient's copy, aftercare, and a reaction report reaching the doctors.

The messages go through a real SMTP server on 127.0.0.1 with STARTTLS.
"""
import io
import re
from pathlib import Path

from PIL import Image

from consent.evidence import archive
from consent.kernel import clock

from browser.conftest import (answer_questionnaire, open_countersigning_with_a_pin,
                              record_treatment, screenshot, serious_violations, staff_page)
from conftest import valid_form

PHONE = {"width": 390, "height": 844}
LINK = re.compile(r"https://\S+/visit#\S+")
DOB = "1985-12-10"


def deliver(server):
    """Drain the outbox once, as `make run`'s sender does every 30 seconds."""
    result = server.app.test_cli_runner().invoke(args=["outbox", "send"])
    assert result.exit_code == 0 and "1 sent" in result.output, result.output


def phone_opens(browser, smtp, server):
    """Open the newest e-mailed link on a phone and give the date of birth."""
    deliver(server)
    subject, body = smtp.bodies()[-1]
    for word in ("Ada", "Lovelace", DOB, "needling", "face"):
        assert word not in subject + body
    page = browser.new_context(viewport=PHONE, has_touch=True, is_mobile=True,
                               accept_downloads=True).new_page()
    page.goto(LINK.search(body).group(0))
    page.wait_for_selector("h1:has-text('Your visit')")
    assert "#" not in page.url  # the token left the address bar
    page.fill("#date_of_birth", DOB)
    page.click("button:has-text('Continue')")
    return page


def test_a_booked_patient_answers_at_home_and_is_looked_after_afterwards(browser, serve, smtp):
    server = serve(**smtp.config())
    desk = staff_page(browser, server, "rita", "reception", shots="reception")
    desk.wait_for_selector("h1:has-text('Visits')")
    desk.click("text=Book a visit")
    desk.fill("#first_name", "Ada")
    desk.fill("#last_name", "Lovelace")
    desk.fill("#date_of_birth", DOB)
    desk.fill("#email", "ada@example.com")
    desk.click("label:has(input[value='microneedling'])")
    desk.fill("#visit_date", clock.today().isoformat())
    desk.click("button:has-text('Book the visit')")
    desk.wait_for_selector("text=The pre-visit link is on its way by e-mail.")
    screenshot(desk, "reception-visits")
    assert serious_violations(desk) == []

    phone = phone_opens(browser, smtp, server)
    phone.wait_for_selector("#welcome")
    phone.wait_for_load_state("load")  # the stylesheet too: before it, the pad is 600 px
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    answer_questionnaire(phone, valid_form(questions_for_doctor=""))
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(phone, "home-questionnaire-signed")
    phone.click("[data-submit]")
    phone.wait_for_selector("h1:has-text('Thank you')")
    assert phone.evaluate("localStorage.length + sessionStorage.length") == 0
    phone.context.close()

    nurse = staff_page(browser, server, "nurse.joy", "practitioner")
    nurse.wait_for_selector("h1:has-text('Today')")
    assert "Ada Lovelace" in nurse.inner_text("main")
    open_countersigning_with_a_pin(nurse)
    nurse.check("#identity_checked")
    nurse.check("#discussed")
    nurse.check("#capacity_confirmed")
    nurse.check("#interpreter-0")  # no interpreter needed
    nurse.check("#unchanged_confirmed")
    nurse.fill("#pin", "246810")
    nurse.click("button:has-text('Countersign and seal')")
    nurse.wait_for_selector("text=The patient's copy is on its way by e-mail.")

    copy = phone_opens(browser, smtp, server)
    copy.wait_for_selector("h1:has-text('Your copy')")
    with copy.expect_download() as download:
        copy.click("text=Download your copy")
    db = server.db()
    sid = next(db["submissions"].rows)["id"]
    stored = Path(server.app.config["ARCHIVE_DIR"]) / archive.entry(db, sid)["path"]
    assert Path(download.value.path()).read_bytes() == stored.read_bytes()
    assert db["audit"].count_where("action = 'patient_copy_downloaded'") == 1
    copy.context.close()

    record_treatment(nurse)
    nurse.wait_for_selector("text=The aftercare message is on its way.")
    nurse.context.close()

    care = phone_opens(browser, smtp, server)
    care.wait_for_selector("h1:has-text('After your treatment')")
    assert "SPF 50+" in care.inner_text("main") and "not before" in care.inner_text("main")
    screenshot(care, "home-aftercare")
    assert serious_violations(care) == []
    assert care.is_hidden("[data-call-999]")
    care.type("#what", "The skin has gone white")  # as the patient types, before sending
    care.wait_for_selector("[data-call-999]:has-text('Call 999 now')", state="visible")
    screenshot(care, "home-aftercare-call-999")
    care.fill("#what", "The redness is spreading and there is some pus")
    assert care.is_hidden("[data-call-999]")  # urgent, not an emergency
    care.fill("#what", "Ślepnę na lewe oko")  # "I am going blind in my left eye", in Polish
    care.wait_for_selector("[data-call-999]", state="visible")
    care.fill("#what", "The redness is spreading and there is some pus")
    care.wait_for_selector("[data-call-999]", state="hidden")
    care.select_option("#area", "face")
    care.fill("#since", clock.today().isoformat())
    photo = io.BytesIO()
    Image.new("RGB", (800, 600), "pink").save(photo, format="PNG")
    care.set_input_files("#photo", files=[{"name": "cheek.png", "mimeType": "image/png",
                                           "buffer": photo.getvalue()}])
    care.click("button:has-text('Send to the clinic')")
    care.wait_for_selector("h1:has-text('Your report has reached the clinic')")
    care.context.close()

    doctor = staff_page(browser, server, "dr.house", "doctor")
    doctor.wait_for_selector("h1:has-text('Review queue')")
    doctor.click("text=Reactions")
    doctor.wait_for_selector("h1:has-text('Reactions reported')")
    text = doctor.inner_text("main")
    assert "urgent" in text and "spreading" in text and "HA-221" in text
    screenshot(doctor, "doctor-reactions")
    assert serious_violations(doctor) == []
    db.conn.close()
    log = (Path(server.app.instance_path) / "access.log").read_text()
    assert "/visit/copy.pdf" in log  # the log is written; no token, e-mail or birth date in it
    for _, body in smtp.bodies():
        assert LINK.search(body).group(0).split("#")[1] not in log
    assert "ada@example.com" not in log and DOB not in log
