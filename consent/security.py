"""CSRF protection and the response headers every page carries."""
from flask import request
from flask_wtf.csrf import CSRFProtect, generate_csrf
from markupsafe import Markup, escape

csrf = CSRFProtect()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)


def set_headers(response):
    """Add the security headers; nothing but static assets may be cached."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    if request.endpoint != "static":
        response.headers["Cache-Control"] = "no-store"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def csrf_field():
    """Render the hidden CSRF input every form carries."""
    return Markup('<input type="hidden" name="csrf_token" value="%s">') % escape(generate_csrf())


def init_app(app):
    """Enable CSRF on every form and add the headers to every response."""
    csrf.init_app(app)
    app.after_request(set_headers)
    app.jinja_env.globals["csrf_field"] = csrf_field
