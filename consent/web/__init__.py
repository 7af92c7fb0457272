"""The web edge: request checks, error pages, log-in, and the pages of each audience."""
from flask import current_app, g
from markupsafe import Markup

from ..db import get_db
from ..instance import unset_settings
from ..intake import display, information, photos
from ..intake.catalogue import TREATMENTS, law_refusal, records_product
from ..kernel import clock
from ..kernel.languages import spoken_in
from ..kernel.status import by_severity
from ..practice.treatments import columns
from ..review import decisions
from ..staff import accounts
from . import (account, admin, auth, errors, fhir, home, intake, languages, practice, reactions,
               reception, review, rules, security, tablet, today, visit)


def answer(value, name):
    """Template filter: a stored answer in the patient's words ("Chest (décolletage)")."""
    return display.show(name, value)


def state(status):
    """Template filter: a status in words; records sealed before countersigning say so."""
    return display.STATES.get(status, status.replace("_", " "))


def may(role):
    """Template global: whether the logged-in staff member may act as this role."""
    return g.get("user") is not None and accounts.may(g.user["role"], role)


def spoken(value):
    """Template filter: an ISO date or moment as a person reads it, in the clinic's zone."""
    return spoken_in(languages.page_language().code, value,
                     current_app.config["CLINIC_TIMEZONE"])


def staff_name(username):
    """Template filter: a member of staff by their full name (their username if none)."""
    if not username:
        return ""
    names = g.setdefault("staff_names", {})
    if username not in names:
        names[username] = accounts.profile(get_db(), username)["full_name"] or username
    return names[username]


def information_for(treatment):
    """Template global: the information on one treatment, as the patient reads and signs it."""
    return Markup(information.render([treatment], current_app.config["CLINIC_PHONE"],
                                     languages.page_language().code))


def photos_withdrawn(submission_id):
    """Template global: the photo permissions this patient withdrew, and when."""
    return photos.withdrawn(get_db(), submission_id)


def placeholders_left():
    """Template global: the clinic settings still at their shipped placeholder."""
    return unset_settings(current_app.config)


def init_app(app):
    """Register the checks, error pages, blueprints and the answer filters."""
    for part in (languages, security, errors, rules, auth, account, tablet, intake, review,
                 practice, today, admin, reception, visit, home, reactions, fhir):
        part.init_app(app)
    app.add_template_filter(answer)
    app.add_template_filter(state)
    app.add_template_global(may)
    app.add_template_global(placeholders_left)
    app.add_template_global(information_for)
    app.add_template_global(photos_withdrawn)
    app.add_template_global(decisions.changes_said)
    app.add_template_global(TREATMENTS.get, "catalogue_entry")
    app.add_template_global(columns, "record_columns")
    app.add_template_global(records_product)
    app.add_template_global(law_refusal)
    app.add_template_filter(by_severity)
    app.add_template_filter(spoken)
    app.add_template_filter(staff_name)
    app.add_template_filter(clock.full_stop)
    app.add_template_filter(display.label)


def startup_problem(app):
    """Say why this app must not serve (no secret key, invalid rules), or None."""
    if not app.config.get("SECRET_KEY"):
        return "No SECRET_KEY: run `flask --app consent init` (or `make run`) first."
    return rules.startup_problem(app)
