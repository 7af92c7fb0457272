"""CSRF protection and the response headers every page carries."""
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup, escape

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def set_headers(response):
    """Add the security headers, and forbid caching of anything but static assets."""
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if not response.headers.get("Cache-Control"):
        response.headers["Cache-Control"] = "no-store"
    return response


def csrf_field():
    """Render the hidden CSRF input every form carries."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % escape(generate_csrf())


def init_app(app):
    """Enable CSRF on every form and add the headers to every response."""
    csrf.init_app(app)
    app.after_request(set_headers)
    app.jinja_env.globals["csrf_field"] = csrf_field
