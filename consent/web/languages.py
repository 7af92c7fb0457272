"""The language of each page: the patient's choice on their pages, the clinic's on staff ones.

A shared tablet keeps no language between patients: the choice travels in the page's own
form (a hidden field), so a new page, an idle wipe or the next patient starts in the
clinic's language. A home link keeps it in that browser's session once the link is open.
"""
from flask import current_app, g, has_request_context, redirect, request, session, url_for
from flask_babel import Babel, get_locale, gettext
from werkzeug.exceptions import HTTPException

from ..kernel.languages import CLINIC, isolated, offered, shipped

TABLET = {"intake"}  # the choice is in each request's form
HOME = {"home", "visit"}  # the choice is in the opened link's session
THANKS = {"intake.thanks", "home.thanks"}  # after the answers: once more in their language


def patient_languages():
    """Return the languages patients may choose here (approved, or enabled by the clinic)."""
    return offered(current_app.config["PATIENT_LANGUAGES_ENABLED"])


def chosen():
    """Return the language this patient chose, or None on staff pages and before a choice."""
    if not has_request_context() or request.blueprint not in TABLET | HOME:
        return None  # commands, staff pages
    try:
        form = request.form if request.method == "POST" else {}
    except HTTPException:  # a body refused (too large): its error page is in the clinic's
        form = {}
    candidates = [form.get("choose_language"), form.get("language")]
    if request.blueprint in HOME:
        candidates.append(session.get("language"))
    if request.endpoint in THANKS:
        candidates.append(session.pop("language_once", None))
    candidates.append(g.get("patient_language"))
    return next((c for c in candidates if c in patient_languages()), None)


def choosing_language():
    """Tell whether this POST only chooses the language (a fresh page in it, nothing checked)."""
    return request.method == "POST" and "choose_language" in request.form


def thanked(endpoint):
    """Redirect to a thank-you page that speaks the patient's language, once."""
    session["language_once"] = page_language().code
    return redirect(url_for(endpoint))


def select_locale():
    """Tell Flask-Babel the page's language."""
    return chosen() or CLINIC


def page_language():
    """Template global: the Language this page is written in (chosen once per request)."""
    return shipped()[str(get_locale())]


def ltr(text):
    """Template filter: a phone number or code that stays left to right on any page."""
    return isolated(text, page_language().code)


def words(text):
    """Template filter: declared words (a title, a label) in the page's language, escaped.

    Not _(): Jinja's _() trusts what it returns as markup; these come from data.
    """
    return gettext(text) if text else text


def init_app(app):
    """Translate patients' pages into the language they choose."""
    Babel(app, locale_selector=select_locale, default_timezone=app.config["CLINIC_TIMEZONE"])
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # a paragraph's line breaks are layout
    app.add_template_global(page_language)
    app.add_template_global(patient_languages)
    app.add_template_filter(ltr)
    app.add_template_filter(words)
