"""The whole questionnaire in Arabic and in Polish, at tablet and phone sizes, through axe."""
import pytest
from axe_playwright_python.sync_playwright import Axe

from browser.conftest import TABLET, draw_signature, fill_visible, screenshot, tablet_page
from conftest import valid_form

PHONE = {"width": 390, "height": 844}
THANKS = {"ar": "شكرًا لك", "pl": "Dziękujemy"}
DIABETES = {"ar": "هل لديك مرض السكري؟", "pl": "Czy ma Pan/Pani cukrzycę?"}


def violations(page):
    return [(v["id"], [n["target"] for n in v["nodes"]][:3])
            for v in Axe().run(page).response["violations"]]


def walk(page, code, name):
    """Choose the language, answer every screen, sign and send; axe each screen on the way."""
    page.click(f"button[name='choose_language'][value='{code}']")
    page.wait_for_selector(f"html[lang='{code}']")
    assert violations(page) == [], "welcome"
    page.click("[data-start]")
    data = valid_form()
    while True:
        step = page.evaluate("document.querySelector('section.step:not([hidden])').id")
        assert violations(page) == [], step
        # Nothing runs off the side of a narrow screen, whichever way the text runs.
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), step
        fill_visible(page, data)
        if step == "section-consent":
            break
        page.click("[data-next]")
    draw_signature(page)
    screenshot(page, f"{name}-consent")
    page.click("[data-submit]")
    page.wait_for_selector(f"h1:has-text('{THANKS[code]}')")
    assert violations(page) == []


@pytest.fixture(scope="module")
def languages_server(browser, clinic_tls, tmp_path_factory):
    """One server, with the draft languages enabled, for both walks."""
    from browser.conftest import Server
    folder = tmp_path_factory.mktemp("languages") / "instance"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONSENT_INSTANCE", str(folder))
        server = Server(folder, clinic_tls[0], {"PATIENT_LANGUAGES_ENABLED": ("es", "pl", "ar")})
        yield server
        server.stop()


@pytest.mark.parametrize("code", ["ar", "pl"])
def test_the_whole_questionnaire_in_a_patients_language_at_tablet_and_phone_size(
        browser, languages_server, code):
    server = languages_server
    for size, viewport in (("tablet", TABLET), ("phone", PHONE)):
        page = tablet_page(browser, server, viewport=viewport)
        page.click(f"button[name='choose_language'][value='{code}']")
        page.wait_for_selector(f"html[lang='{code}']")
        direction = page.evaluate("getComputedStyle(document.body).direction")
        assert direction == ("rtl" if code == "ar" else "ltr")
        assert page.locator(f"text={DIABETES[code]}").count() == 1
        page.goto(server.url + "/")  # what an idle wipe does: the clinic's language again
        assert page.evaluate("document.documentElement.lang") == "en"
        walk(page, code, f"language-{code}-{size}")
        page.context.close()
    db = server.db()
    rows = list(db["submissions"].rows_where("language = ?", [code]))
    db.conn.close()
    assert [r["language_status"] for r in rows] == ["draft"] * 2
