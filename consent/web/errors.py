"""Generic error pages: a plain message, never a stack trace or a request detail."""
from flask import current_app, g, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ..kernel.languages import N_
from ..kernel.status import Conflict

MESSAGES = {
    400: N_("The request could not be understood. Please go back and try again."),
    403: N_("You do not have access to this page."),
    404: N_("This page does not exist."),
    405: N_("This page cannot be used that way."),
    409: N_("This step is not possible in the record's current state."),
    410: N_("This link is no longer valid."),
    413: N_("What was sent is too large. If you signed, please clear the signature and sign "
            "again."),
    429: N_("Too many attempts. Please wait and try again."),
    500: N_("Something went wrong on our side. Your answers were not saved; please tell "
            "reception."),
}


def page(error):
    """Render the generic page for an HTTP error."""
    code = error.code if isinstance(error, HTTPException) else 500
    message = getattr(error, "message", None) or \
        MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    return render_template("error.html", code=code, message=gettext(message),
                           reference=g.get("request_id")), code


def csrf_page(error):
    """Explain an expired or missing form token in plain words."""
    return render_template("error.html", code=400, message=gettext(
        "This page was open too long or was opened twice. Please start again.")), 400


def conflict(error):
    """Refuse a step the submission's state does not allow: 409, saying why."""
    return render_template("error.html", code=409, message=str(error),
                           reference=g.get("request_id")), 409


def unexpected(error):
    """Log an unexpected exception with the request id, then show the generic 500 page."""
    # The endpoint, not the path or the form: a log line must carry no patient data.
    current_app.logger.error("Unexpected error, request %s, endpoint %s",
                             g.get("request_id", "-"), request.endpoint, exc_info=error)
    return page(InternalServerError())


def init_app(app):
    """Register the error pages."""
    app.register_error_handler(CSRFError, csrf_page)
    app.register_error_handler(Conflict, conflict)
    app.register_error_handler(HTTPException, page)
    app.register_error_handler(Exception, unexpected)
