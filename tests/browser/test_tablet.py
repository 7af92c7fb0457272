"""The patient's path on a real tablet-sized Chromium, the doctor's approval, and the
practitioner's countersignature and treatment record."""
import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from pypdf import PdfReader

from consent.evidence import archive, integrity
from consent.kernel import clock

from browser.conftest import (TABLET, answer_questionnaire, doctor_page, draw_signature,
                              fill_visible, open_countersigning_with_a_pin, record_treatment,
                              screenshot, serious_violations, staff_page, tablet_page)
from conftest import valid_form


@pytest.fixture
def server(shared_server):
    """The module's server: a test that only uses a tablet sees only the rows it stores."""
    shared_server.mark()
    return shared_server


@pytest.fixture
def alone(browser, serve):
    """A server and tablet of its own, for a test whose staff read the whole queue."""
    server = serve()
    page = tablet_page(browser, server)
    yield server, page
    page.context.close()


def test_cleared_patient_completes_the_flow_then_the_practitioner_countersigns_and_treats(
        browser, alone):
    server, tablet = alone
    screens = []

    def check_screen(page):
        name = page.locator("section.step:visible h2").inner_text()
        screens.append(name)
        screenshot(page, f"tablet-{len(screens):02d}-{name.lower().replace(' ', '-')}")
        assert serious_violations(page) == [], name
        for box in page.locator("section.step:visible label.choice").all()[:4]:
            assert box.bounding_box()["height"] >= 44  # touch-sized targets

    screenshot(tablet, "tablet-00-welcome")
    assert serious_violations(tablet) == []
    assert "about 5 minutes" in tablet.inner_text("#welcome")
    font = tablet.evaluate("getComputedStyle(document.body).fontSize")
    assert float(font.removesuffix("px")) >= 18
    answer_questionnaire(tablet, valid_form(), on_screen=check_screen)
    assert screens[:3] == ["1. About you", "2. Today's treatment", "3. Infection risk"] or \
        screens[:3] == ["About you", "Today's treatment", "Infection risk"]
    assert screens[-3:] == ["About your treatment", "Check your answers", "Consent and signature"]
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    screenshot(tablet, "tablet-99-thanks")
    assert serious_violations(tablet) == []
    assert "Lovelace" not in tablet.content()
    [row] = server.rows()
    assert row["status"] == "awaiting_consent"  # nothing is sealed before a clinician acts
    db = server.db()
    assert archive.entry(db, row["id"]) is None
    assert integrity.archive_report(db, server.app.config).problems == []
    db.conn.close()
    countersign_and_treat(browser, server, row["id"], question=False)


def test_summary_lists_answers_and_edit_returns_to_it(tablet):
    tablet.click("[data-start]")
    data = valid_form()
    while not tablet.locator("#section-review").is_visible():
        fill_visible(tablet, data)
        tablet.click("[data-next]")
    summary = tablet.inner_text("#section-review")
    assert "Ada" in summary and "Lovelace" in summary and "Face, Neck" in summary
    tablet.click("text=Change “About you”")
    tablet.fill("#first_name", "Adah")
    tablet.click("text=Back to the summary")
    assert "Adah" in tablet.inner_text("#section-review")


def test_flagged_submission_reaches_the_doctor_who_approves_it(browser, alone):
    server, tablet = alone
    answer_questionnaire(tablet, valid_form(cold_sore_history="yes",
                                            questions_for_doctor="Will it hurt?"))
    # Before signing, the patient reads what their answers mean for them.
    told = tablet.wait_for_selector("[data-for-you]:not([hidden])")
    assert "Cold sores can come back after treatment on the face" in told.inner_text()
    screenshot(tablet, "tablet-what-this-means-for-you")
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    doctor = doctor_page(browser, server)
    screenshot(doctor, "doctor-01-queue")
    assert serious_violations(doctor) == []
    doctor.click("text=Ada Lovelace")
    doctor.wait_for_selector("h2:has-text('Flags')")
    assert "Recurrent cold sores" in doctor.inner_text("main")
    screenshot(doctor, "doctor-02-submission")
    assert serious_violations(doctor) == []
    doctor.click("label:has(input[value='approved'])")
    doctor.fill("#note", "Antiviral cover discussed.")
    doctor.fill("#patient_advice", "Aciclovir 400 mg three times a day from the day before.")
    doctor.click("button:has-text('Record decision')")
    doctor.wait_for_selector("text=Decision recorded: approved")
    screenshot(doctor, "doctor-03-decided")
    [row] = server.rows()
    assert row["status"] == "awaiting_consent"
    db = server.db()
    assert db["decisions"].get(row["id"])["outcome"] == "approved"
    assert db["decisions"].get(row["id"])["note"] == "Antiviral cover discussed."
    db.conn.close()
    doctor.context.close()
    countersign_and_treat(browser, server, row["id"])


def read_bytes(server, document_id):
    """Return an archived PDF's bytes."""
    db = server.db()
    path = Path(server.app.config["ARCHIVE_DIR"]) / archive.entry(db, document_id)["path"]
    db.conn.close()
    return path.read_bytes()


def read_pdf(server, document_id):
    """Return the text and attached record of an archived PDF, read back with pypdf."""
    reader = PdfReader(BytesIO(read_bytes(server, document_id)))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    [attached] = reader.attachments.get("consent-record.json") or \
        reader.attachments["treatment-record.json"]
    return text, json.loads(attached)


def countersign_and_treat(browser, server, submission_id, question=True):
    """Walk the practitioner's screens: set a PIN, countersign, record the treatment."""
    nurse = staff_page(browser, server, "nurse.joy", "practitioner", shots="practitioner-00")
    db = server.db()
    db["users"].update("nurse.joy", {"full_name": "Joy Adams", "registration": "NMC 12A3456B"})
    db.conn.close()
    nurse.wait_for_selector("h1:has-text('Today')")
    screenshot(nurse, "practitioner-01-today")
    assert serious_violations(nurse) == []
    open_countersigning_with_a_pin(nurse)
    assert ("Will it hurt?" in nurse.inner_text("main")) == question
    nurse.click("button:has-text('Countersign and seal')")  # nothing ticked: errors, no seal
    nurse.wait_for_selector("#identity_checked-error")
    screenshot(nurse, "practitioner-02-countersign-errors")
    assert serious_violations(nurse) == []
    nurse.check("#identity_checked")
    nurse.check("#discussed")
    nurse.check("#capacity_confirmed")
    nurse.check("#interpreter-0")  # no interpreter needed
    if question:
        nurse.fill("#answer_to_questions", "A little; numbing cream first.")
    nurse.fill("#pin", "246810")
    nurse.click("button:has-text('Countersign and seal')")
    nurse.wait_for_selector("text=The sealed consent is in the archive.")
    screenshot(nurse, "practitioner-03-treatment-form")
    assert serious_violations(nurse) == []
    record_treatment(nurse)
    nurse.wait_for_selector("text=Treatment record saved. The sealed record is in the archive.")
    screenshot(nurse, "practitioner-04-saved")
    db = server.db()
    assert db["submissions"].get(submission_id)["status"] == "treated"
    assert archive.entry(db, submission_id) and archive.entry(db, f"{submission_id}.treatment")
    assert integrity.archive_report(db, server.app.config).problems == []
    db.conn.close()
    nurse.context.close()
    consent, record = read_pdf(server, submission_id)
    assert re.search(r"Countersigned by Joy Adams \(NMC 12A3456B\) on \d+ \w+ \d{4}, "
                     r"\d\d:\d\d (GMT|BST)", consent)
    assert "I discussed this treatment with the patient and obtained their consent." in consent
    assert record["consent"]["practitioner"] == "nurse.joy"
    treatment, record = read_pdf(server, f"{submission_id}.treatment")
    assert "Hyaluronic serum HA-221 31 March 2027" in treatment and "Dermapen 4" in treatment
    assert "Joy Adams (NMC 12A3456B)" in treatment
    assert record["consent"]["sha256"] == archive.sha256(read_bytes(server, submission_id))


def test_skip_logic_shows_follow_ups_only_when_they_apply(tablet):
    tablet.click("[data-start]")
    fill_visible(tablet, valid_form())  # "Next" asks for each screen's answers first
    tablet.click("[data-next]")
    assert not tablet.locator("#last_session_date").is_visible()
    tablet.click("label:has(input[name='had_previous_session'][value='yes'])")
    assert tablet.locator("#last_session_date").is_visible()
    assert tablet.locator("#q-last_session_areas").is_visible()
    tablet.click("label:has(input[name='had_previous_session'][value='no'])")
    assert not tablet.locator("#last_session_date").is_visible()
    for _ in range(3):
        fill_visible(tablet, valid_form())
        tablet.click("[data-next]")
    assert not tablet.locator("#isotretinoin_stopped_date").is_visible()
    tablet.click("label:has(input[name='isotretinoin'][value='stopped'])")
    assert tablet.locator("#isotretinoin_stopped_date").is_visible()


def test_server_error_lands_on_its_screen_with_answers_kept(tablet, server):
    answer_questionnaire(tablet, valid_form(date_of_birth="1890-01-01"))  # only the server knows
    tablet.click("[data-submit]")
    tablet.wait_for_selector(".error-summary")
    assert tablet.locator("#section-about_you").is_visible()  # the screen of the error
    assert not tablet.locator("#section-consent").is_visible()
    assert "year of birth" in tablet.inner_text("#q-date_of_birth")
    screenshot(tablet, "tablet-error-round-trip")
    assert serious_violations(tablet) == []
    assert tablet.locator("#last_name").input_value() == "Lovelace"
    tablet.click("[data-next]")
    assert tablet.locator("label:has(input[value='microneedling']) input").is_checked()
    assert server.rows() == []


def test_typed_name_is_checked_on_the_tablet(tablet, server):
    answer_questionnaire(tablet, valid_form(signed_name="Someone Else"))
    tablet.click("[data-submit]")
    assert tablet.locator("#signed-name-mismatch").is_visible()
    assert server.rows() == []


def test_empty_signature_pad_cannot_be_sent(tablet, server):
    answer_questionnaire(tablet, valid_form(), sign=False)
    tablet.click("[data-submit]")
    assert tablet.locator("#signature-empty").is_visible()
    assert server.rows() == []


def test_idle_tablet_warns_then_wipes_the_draft(browser, serve):
    server = serve(KIOSK_IDLE_SECONDS=1, KIOSK_WARNING_SECONDS=2)
    page = tablet_page(browser, server)
    page.click("[data-start]")
    page.fill("#first_name", "Ada")
    page.wait_for_selector(".idle-dialog:visible", timeout=5000)
    assert "Are you still there?" in page.inner_text(".idle-dialog")
    screenshot(page, "tablet-idle-warning")
    page.wait_for_selector("#welcome:visible", timeout=8000)
    page.click("[data-start]")
    assert page.locator("#first_name").input_value() == ""
    page.context.close()


def test_back_after_submission_shows_no_answers(tablet):
    answer_questionnaire(tablet, valid_form())
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    tablet.go_back()
    tablet.wait_for_selector("#welcome")
    tablet.wait_for_load_state("load")
    assert "Lovelace" not in tablet.content()
    storage = tablet.evaluate("JSON.stringify([Object.keys(localStorage), "
                              "Object.keys(sessionStorage)])")
    assert json.loads(storage) == [[], []]
    assert "Lovelace" not in tablet.url and "Ada" not in tablet.url


def test_thank_you_screen_resets_itself(browser, serve):
    server = serve(THANKS_RESET_SECONDS=1)
    page = tablet_page(browser, server)
    answer_questionnaire(page, valid_form())
    page.click("[data-submit]")
    page.wait_for_selector("h1:has-text('Thank you')")
    page.wait_for_selector("#welcome", timeout=5000)
    page.context.close()


def test_unenrolled_device_is_turned_away(browser, server):
    page = tablet_page(browser, server, enrol=False)
    page.goto(server.url + "/")
    assert "not enrolled" in page.inner_text("h1")
    screenshot(page, "tablet-not-enrolled")
    assert serious_violations(page) == []
    page.context.close()


@pytest.mark.parametrize("viewport", [TABLET, {"width": 1024, "height": 768},
                                      {"width": 800, "height": 1280}],
                         ids=["768x1024", "1024x768", "800x1280"])
def test_layout_fits_portrait_and_landscape(browser, server, viewport):
    page = tablet_page(browser, server, viewport=viewport)
    page.click("[data-start]")
    page.click("[data-next]")
    name = f"{viewport['width']}x{viewport['height']}"
    screenshot(page, f"layout-{name}-treatment")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    for _ in range(6):
        page.click("[data-next]")
    draw_signature(page) if page.locator("canvas[data-input='signature']").is_visible() else None
    page.context.close()


def test_without_javascript_the_form_is_one_long_page(browser, server):
    page = tablet_page(browser, server)
    cookies = page.context.cookies()
    page.context.close()
    context = browser.new_context(viewport=TABLET, java_script_enabled=False)
    context.add_cookies(cookies)
    page = context.new_page()
    page.goto(server.url + "/")
    for section in ("#section-about_you", "#section-allergies", "#section-about",
                    "#section-consent"):
        assert page.locator(section).is_visible()
    assert not page.locator("#section-review").is_visible()
    screenshot(page, "tablet-no-javascript")
    context.close()


def test_every_staff_screen_is_accessible(browser, alone):
    server, tablet = alone
    answer_questionnaire(tablet, valid_form(bruises_easily="yes", sunburn_or_tan="yes",
                                            treatment="mesotherapy_needling"))
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    doctor = staff_page(browser, server, "dr.grey", "doctor", shots="staff")
    doctor.fill("#name", "lovelace")
    doctor.click("button:has-text('Search')")
    doctor.wait_for_selector("h1:has-text('Search results')")
    assert serious_violations(doctor) == []
    doctor.click("text=Ada Lovelace")
    doctor.click("label:has(input[value='approved'])")
    doctor.click("button:has-text('Record decision')")  # no reason over a stop flag
    doctor.wait_for_selector(".error-summary")
    screenshot(doctor, "doctor-decision-error")
    assert serious_violations(doctor) == []
    doctor.click("label:has(input[value='approved'])")
    doctor.fill("#override_reason", "Tan faded; checked in person.")
    doctor.fill("#product", "Vitamin C serum")
    doctor.fill("#batch", "VC-2291")
    doctor.click("button:has-text('Record decision')")
    doctor.wait_for_selector("text=Decision recorded: approved")
    assert serious_violations(doctor) == []
    doctor.context.close()
    admin = staff_page(browser, server, "office", "admin")
    admin.wait_for_selector("h1:has-text('Administration')")
    assert serious_violations(admin) == []
    admin.fill("#name", "Room 2")
    admin.click("button:has-text('Create enrolment link')")
    admin.wait_for_selector("text=Enrolment link")
    screenshot(admin, "admin-enrolment-link")
    assert serious_violations(admin) == []
    admin.context.close()


def test_next_asks_for_this_screens_required_answers_first(tablet, server):
    tablet.click("[data-start]")
    tablet.click("[data-next]")  # nothing answered yet
    assert tablet.locator("#section-about_you").is_visible()  # still on the first screen
    assert tablet.locator("#q-first_name .error").inner_text() == "Please answer this question."
    assert tablet.locator("#q-first_name").get_attribute("class").endswith("has-error")
    screenshot(tablet, "tablet-next-asks-first")
    assert serious_violations(tablet) == []
    fill_visible(tablet, valid_form())
    tablet.click("[data-next]")
    assert not tablet.locator("#section-about_you").is_visible()  # answered: moves on
    assert tablet.locator("[data-client-error]").count() == 0
    assert server.rows() == []


def test_after_a_server_error_the_summary_shrinks_and_asks_to_sign_again(tablet, server):
    answer_questionnaire(tablet, valid_form(date_of_birth="1890-01-01"))  # only the server knows
    tablet.click("[data-submit]")
    tablet.wait_for_selector(".error-summary")
    assert tablet.locator(".error-summary li").count() == 1
    tablet.fill("#date_of_birth", "1990-05-17")
    tablet.locator("#date_of_birth").dispatch_event("change")
    assert not tablet.locator(".error-summary").is_visible()  # nothing left to check
    assert tablet.locator("#q-date_of_birth .error").count() == 0
    while not tablet.locator("#section-consent").is_visible():
        tablet.click("[data-next]")
    assert "Please sign again" in tablet.inner_text("#sign-again")
    screenshot(tablet, "tablet-sign-again")
    draw_signature(tablet)
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    assert len(server.rows()) == 1


@pytest.mark.parametrize("viewport", [{"width": 390, "height": 844},
                                      {"width": 820, "height": 1180}], ids=["phone", "tablet"])
def test_the_bottom_bar_never_covers_the_signature_pad_or_the_send_button(browser, server,
                                                                           viewport):
    page = tablet_page(browser, server)
    page.set_viewport_size(viewport)
    today = clock.today()
    minor = valid_form(first_name="Tom", signed_name="Tom Lovelace",
                       date_of_birth=today.replace(year=today.year - 16, day=1).isoformat(),
                       guardian_name="Mary Lovelace", guardian_relationship="parent")
    page.click("[data-start]")
    while not page.locator("#section-guardian").is_visible():  # a minor's guardian signs too
        fill_visible(page, minor)
        page.click("[data-next]")
    for screen, targets in (("guardian", ["canvas[data-input='guardian_signature']"]),
                            ("consent", ["canvas[data-input='signature']", "[data-submit]"])):
        assert page.locator(f"#section-{screen}").is_visible()
        for target in targets:
            assert_not_covered(page, target)
        if screen == "guardian":
            fill_visible(page, minor)
            draw_signature(page, "guardian_signature")  # Next asks for it
            page.click("[data-next]")
    page.context.close()


def assert_not_covered(page, target):
    """Scroll a target to the top, middle and bottom of the screen: the bar never covers it."""
    for block in ("start", "center", "end"):
        page.locator(target).evaluate(f"el => el.scrollIntoView({{block: '{block}'}})")
        covered = page.evaluate("""([target]) => {
            const a = document.querySelector(target).getBoundingClientRect();
            const b = document.querySelector('.step-nav').getBoundingClientRect();
            return !(b.top >= a.bottom || b.bottom <= a.top);
        }""", [target])
        assert not covered, (target, block)


def test_a_patient_who_cannot_draw_signs_by_typing_with_the_keyboard(tablet, server):
    answer_questionnaire(tablet, valid_form(), sign=False)
    assert tablet.locator("canvas[data-input='signature']").is_visible()
    tablet.focus("#signature_typed")
    tablet.keyboard.press("Space")  # no mouse, no touch
    assert tablet.locator("#signature_typed").is_checked()
    assert not tablet.locator("canvas[data-input='signature']").is_visible()  # the pad steps aside
    screenshot(tablet, "tablet-typed-signature")
    assert serious_violations(tablet) == []
    tablet.focus("[data-submit]")
    tablet.keyboard.press("Enter")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    [row] = server.rows()
    db = server.db()
    assert db["submissions"].get(row["id"])["signature_kind"] == "typed"
    db.conn.close()


def focused(page):
    """Describe the element that has the keyboard focus."""
    return page.evaluate("""() => { const e = document.activeElement;
        const step = e.closest('section.step');
        return {name: e.name || '', type: e.type || e.tagName.toLowerCase(), value: e.value || '',
                checked: !!e.checked, data: Object.keys(e.dataset || {}),
                step: step ? step.id : ''}; }""")


def tab_to(page, test, limit=400):
    """Press Tab until the focused element passes test; return it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        element = focused(page)
        if test(element):
            return element
    raise AssertionError("the keyboard never reached it")


def answer_by_keyboard(page, data, step):
    """Answer one screen with the keyboard alone: Tab, type, Space and arrow keys."""
    done = set()
    while True:
        element = tab_to(page, lambda e: e["step"] == step or "next" in e["data"]
                         or "submit" in e["data"] or "back" in e["data"])
        if element["step"] != step or "submit" in element["data"]:
            return element
        name, kind, want = element["name"], element["type"], data.get(element["name"])
        if want is None or (name, element["value"]) in done:
            continue
        if kind == "radio":
            for _ in range(10):
                if focused(page)["value"] == want:
                    page.keyboard.press("Space")
                    break
                page.keyboard.press("ArrowDown")
            done.add((name, want))
        elif kind == "checkbox":
            wanted = want if isinstance(want, list) else [element["value"]] if want else []
            if element["value"] in wanted and not element["checked"]:
                page.keyboard.press("Space")
        elif kind == "date":
            year, month, day = want.split("-")
            page.keyboard.type(f"{month}{day}{year}")
        elif not element["value"]:
            page.keyboard.type(want)


def test_the_whole_questionnaire_by_keyboard_alone_with_no_axe_violation(tablet, server):
    data = {**valid_form(), "signature_typed": "y"}
    data.pop("signature")
    tab_to(tablet, lambda e: "start" in e["data"])
    assert Axe().run(tablet).response["violations"] == []  # the welcome screen
    tablet.keyboard.press("Enter")
    while True:
        step = tablet.evaluate("document.querySelector('section.step:not([hidden])').id")
        assert Axe().run(tablet).response["violations"] == [], step
        if step == "section-consent":
            break
        if "next" not in answer_by_keyboard(tablet, data, step)["data"]:
            tab_to(tablet, lambda e: "next" in e["data"])
        tablet.keyboard.press("Enter")
        assert tablet.evaluate("document.querySelector('section.step:not([hidden])').id") != step
    assert "submit" in answer_by_keyboard(tablet, data, "section-consent")["data"]
    tablet.keyboard.press("Enter")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    assert Axe().run(tablet).response["violations"] == []
    [row] = server.rows()
    assert row["status"] == "awaiting_consent"


def test_a_minors_guardian_signs_on_their_own_screen(tablet, server):
    today = clock.today()
    sixteen = today.replace(year=today.year - 16, day=min(today.day, 28))  # a minor every day
    data = valid_form(first_name="Tom", signed_name="Tom Lovelace",
                      date_of_birth=sixteen.isoformat(), guardian_name="Mary Lovelace",
                      guardian_relationship="parent")
    tablet.click("[data-start]")
    seen = []
    while not tablet.locator("#section-consent").is_visible():
        seen.append(tablet.evaluate(
            "document.querySelector('section.step:not([hidden])').id"))
        if seen[-1] == "section-guardian":
            screenshot(tablet, "tablet-guardian")
            assert Axe().run(tablet).response["violations"] == []  # any impact, as issue 16
            fill_visible(tablet, data)
            tablet.click("[data-next]")  # no signature yet: Next stays, and says why
            tablet.wait_for_selector("#section-guardian >> text=Please sign in the box.")
            assert tablet.locator("#section-guardian").is_visible()
            draw_signature(tablet, "guardian_signature")
        fill_visible(tablet, data)
        tablet.click("[data-next]")
    assert seen[-2:] == ["section-review", "section-guardian"]  # after the summary
    fill_visible(tablet, data)
    draw_signature(tablet)
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    [row] = server.rows()
    assert row["guardian_signature"].startswith(b"\x89PNG") and row["status"] == "needs_review"
    assert json.loads(row["answers"])["guardian_name"] == "Mary Lovelace"
