"""The whole clinic journey over HTTPS, as deployed: tablet, patient, doctor, admin."""
import re

import pyotp

from consent.intake import submissions
from consent.kernel import clock
from consent.staff import accounts

from browser.conftest import (answer_questionnaire, screenshot, serious_violations, staff_page,
                              tablet_page)
from conftest import PASSWORD, countersign, patient, valid_form


def cookie(page, name):
    """Return the browser's cookie of that name, or None."""
    return next((c for c in page.context.cookies() if c["name"] == name), None)


def test_tablet_patient_doctor_and_logout_over_https(browser, server):
    tablet = tablet_page(browser, server)
    assert tablet.url.startswith("https://")
    kiosk = cookie(tablet, "__Host-consent_kiosk")
    assert kiosk and kiosk["secure"] and kiosk["httpOnly"] and kiosk["path"] == "/"
    answer_questionnaire(tablet, valid_form(cold_sore_history="yes"))
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    tablet.context.close()

    db = server.db()
    accounts.create(db, "dr.new", "doctor", PASSWORD)  # first log-in: sets up the factor
    db.conn.close()
    doctor = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    doctor.goto(f"{server.url}/login")
    doctor.fill("#username", "dr.new")
    doctor.fill("#password", PASSWORD)
    doctor.click("button:has-text('Log in')")
    doctor.wait_for_selector("h1:has-text('Set up your second factor')")
    assert doctor.locator("img.qr").get_attribute("src").startswith("data:image/svg+xml")
    screenshot(doctor, "staff-second-factor-set-up")
    assert serious_violations(doctor) == []
    secret = doctor.inner_text("#totp-secret").strip()
    doctor.fill("#code", pyotp.TOTP(secret).now())
    doctor.click("button:has-text('Confirm')")
    doctor.wait_for_selector("h1:has-text('Your recovery codes')")
    assert doctor.locator(".recovery-codes li").count() == 10
    screenshot(doctor, "staff-recovery-codes")
    doctor.click("text=I have kept them")
    doctor.wait_for_selector("h1:has-text('Review queue')")
    assert cookie(doctor, "__Host-consent_session")["secure"]
    doctor.click("text=Ada Lovelace")
    doctor.click("label:has(input[value='approved'])")
    doctor.fill("#note", "Antiviral cover discussed.")
    doctor.click("button:has-text('Record decision')")
    doctor.wait_for_selector("text=Decision recorded: approved")
    with doctor.expect_response(lambda r: r.url.endswith("/logout")) as logout:
        doctor.click("button:has-text('Log out')")
    assert logout.value.all_headers()["clear-site-data"] == '"cache", "storage"'
    doctor.wait_for_selector("h1:has-text('Staff log-in')")
    assert cookie(doctor, "__Host-consent_session") is None
    doctor.goto(f"{server.url}/review")
    assert doctor.url.endswith("/login")
    doctor.context.close()

    db = server.db()
    [row] = list(db["submissions"].rows)
    assert row["status"] == "awaiting_consent"
    actions = [r["action"] for r in db["audit"].rows_where(order_by="seq")]
    assert {"mfa_enrolled", "login", "decision", "logout"} <= set(actions)
    db.conn.close()
    log = (server.gunicorn.log.parent / "access.log").read_text()
    assert '"POST /kiosk/enrol"' in log
    assert not re.search(r"[A-Za-z0-9_-]{40,}", log)  # no one-time or device token logged


def test_admin_adds_a_colleague_who_sets_their_own_password(browser, server):
    admin = staff_page(browser, server, "office", "admin")
    admin.wait_for_selector("h1:has-text('Administration')")
    admin.fill("#username", "nurse.jo")
    admin.fill("#full_name", "Jo March")
    admin.fill("#registration", "NMC 12A3456B")
    admin.click("label:has(input[value='doctor'])")
    admin.click("button:has-text('Add and create a set-up link')")
    link = admin.inner_text("code.link")
    assert link.startswith(server.url + "/account/setup#")
    screenshot(admin, "admin-set-up-link")
    assert serious_violations(admin) == []
    admin.context.close()

    colleague = browser.new_context().new_page()
    colleague.goto(link)
    colleague.wait_for_selector("h1:has-text('Set your password')")
    assert "#" not in colleague.url  # the token left the address bar at once
    colleague.fill("#password", "a long new passphrase")
    colleague.fill("#confirm", "a long new passphrase")
    colleague.click("button:has-text('Save the password')")
    colleague.wait_for_selector("text=Your password is set")
    colleague.goto(link)  # a spent link says so before anything is typed
    colleague.wait_for_selector("[data-link-invalid]:visible")
    assert colleague.locator("form[data-link-form]").is_hidden()
    colleague.goto(f"{server.url}/login")
    colleague.fill("#username", "nurse.jo")
    colleague.fill("#password", "a long new passphrase")
    colleague.click("button:has-text('Log in')")
    colleague.wait_for_selector("h1:has-text('Set up your second factor')")
    colleague.context.close()


def test_staff_page_leaves_the_screen_when_the_session_times_out(browser, serve):
    server = serve(SESSION_IDLE_MINUTES=0.05)  # 3 seconds
    doctor = staff_page(browser, server, "dr.idle", "doctor")
    doctor.wait_for_selector("h1:has-text('Review queue')")
    doctor.wait_for_selector("h1:has-text('Staff log-in')", timeout=8000)  # no click needed
    assert "Review queue" not in doctor.content()
    doctor.context.close()


def test_staff_screens_fit_a_phone_and_ask_before_disabling(browser, server, tablet):
    answer_questionnaire(tablet, valid_form(cold_sore_now="yes"))
    tablet.click("[data-submit]")
    tablet.wait_for_selector("h1:has-text('Thank you')")
    doctor = staff_page(browser, server, "dr.phone", "doctor")
    doctor.set_viewport_size({"width": 390, "height": 844})
    for step in ("queue", "submission", "today"):
        if step == "submission":
            doctor.click("text=Ada Lovelace")
            doctor.wait_for_selector("h2:has-text('Flags')")
        if step == "today":
            doctor.click("nav >> text=Today")
            doctor.wait_for_selector("h1:has-text('Today')")
        screenshot(doctor, f"phone-doctor-{step}")
        assert doctor.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), step
    db = server.db()
    waiting = submissions.submit(db, server.app.extensions["consent.ruleset"], patient(
        first_name="Cleo", signed_name="Cleo Lovelace"), b"", clock.today())["id"]
    countersign_later = submissions.submit(db, server.app.extensions["consent.ruleset"], patient(
        first_name="Iris", signed_name="Iris Lovelace"), b"", clock.today())["id"]
    countersign(server.app, db, countersign_later, seal=False)
    db.conn.close()
    for path in (f"/practice/{waiting}", f"/practice/{countersign_later}/treatment",
                 f"/practice/{waiting}/history", "/practice/pin"):
        doctor.goto(server.url + path)  # a doctor may do all a practitioner does
        screenshot(doctor, f"phone-practitioner-{path.rsplit('/', 1)[-1]}")
        assert doctor.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), path
    doctor.context.close()
    admin = staff_page(browser, server, "office", "admin")
    admin.set_viewport_size({"width": 390, "height": 844})
    admin.wait_for_selector("h1:has-text('Administration')")
    screenshot(admin, "phone-admin")
    assert admin.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    admin.once("dialog", lambda dialog: dialog.dismiss())
    admin.click("button:has-text('Disable dr.phone')")
    assert "dr.phone is disabled" not in admin.content()  # dismissed: nothing happened
    admin.once("dialog", lambda dialog: dialog.accept())
    admin.click("button:has-text('Disable dr.phone')")
    admin.wait_for_selector("text=dr.phone is disabled. Their sessions have ended.")
    admin.context.close()
