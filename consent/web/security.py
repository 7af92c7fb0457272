"""CSRF protection, the checks every request passes, and the headers every page carries."""
import secrets

from flask import current_app, g, request
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup, escape
from werkzeug.exceptions import BadRequest, Forbidden

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
# Same-origin requests keep their Referer, which Flask-WTF demands over HTTPS; no other
# site ever learns an address of ours.
REFERRER_POLICY = "same-origin"
FETCH_SITES_ALLOWED = {"same-origin", "none"}


class FilesRefused(BadRequest):
    """A file part was sent to a form that takes text only."""

    message = "Files cannot be sent with this form. Please type your answers instead."


class CrossSiteRefused(Forbidden):
    """A browser said this form was sent from another site."""

    message = "This form can only be sent from this service's own pages."


TAKES_A_PHOTO = {"home.aftercare"}


def check_request():
    """Tag the request for the logs; refuse file parts and cross-site form posts."""
    g.request_id = secrets.token_hex(6)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.endpoint in TAKES_A_PHOTO:  # the reaction report: one photo, size-limited
        request.max_content_length = current_app.config["REACTION_PHOTO_BYTES"]
    elif request.files:  # no other form takes files; WTForms would choke on them
        raise FilesRefused()
    # Modern browsers say where a request comes from; a cross-site POST is refused even
    # over plain HTTP, where Flask-WTF has no Referer check.
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None and site not in FETCH_SITES_ALLOWED:
        raise CrossSiteRefused()


def set_headers(response):
    """Add the security headers; nothing but static assets may be cached."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = REFERRER_POLICY
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def csrf_field():
    """Render the hidden CSRF input every form carries."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % escape(generate_csrf())


def init_app(app):
    """Enable CSRF on every form and add the checks and headers to every request."""
    app.before_request(check_request)
    csrf.init_app(app)
    app.after_request(set_headers)
    app.jinja_env.globals["csrf_field"] = csrf_field
