"""Forms staff use: log-in, review search, decisions, administration."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, PasswordField, RadioField, StringField, TextAreaField
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from ..intake.catalogue import AREAS
from ..staff.accounts import REGISTRATION
from .fields import MultiCheckboxField, options, strip
from .validators import plain_text


class LoginForm(FlaskForm):
    """Staff log-in."""

    username = StringField("Username", filters=[strip], validators=[InputRequired(), Length(max=40)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=200)])


class SearchForm(FlaskForm):
    """Find consents by name, date of birth or treatment date (posted: no names in URLs)."""

    name = StringField("Name", filters=[strip], validators=[Optional(), Length(max=100), plain_text])
    date_of_birth = DateField("Date of birth", validators=[Optional()])
    treatment_date = DateField("Treatment date", validators=[Optional()])


class DecisionForm(FlaskForm):
    """A doctor's decision on a flagged submission."""

    outcome = RadioField("Decision", choices=options(("approved", "Approve: treat today"),
                                                     ("deferred", "Defer to a later date"),
                                                     ("declined", "Decline")),
                         validators=[InputRequired("Please approve, defer or decline.")])
    deferred_until = DateField("Deferred until (when deferring)", validators=[Optional()])
    note = TextAreaField("Note", filters=[strip], validators=[Length(max=2000), plain_text])
    patient_advice = TextAreaField(
        "Advice for the patient, in your words (printed on their consent and aftercare)",
        filters=[strip], validators=[Length(max=1000), plain_text])
    override_reason = TextAreaField(
        "Reason for treating despite a stop flag", filters=[strip],
        validators=[Length(max=2000), plain_text])
    excluded_areas = MultiCheckboxField("Approve with changes: leave out these areas",
                                        choices=options(*AREAS))
    max_depth_mm = DecimalField("Approve with changes: deepest needle depth (mm)", places=2,
                                validators=[Optional()])
    product = StringField("Product name", filters=[strip], validators=[Length(max=200), plain_text])
    batch = StringField("Batch or lot number", filters=[strip],
                        validators=[Length(max=100), plain_text])


class CodeForm(FlaskForm):
    """The second factor: a 6-digit authenticator code or a recovery code."""

    code = StringField("Code", filters=[strip],
                       validators=[InputRequired("Please type the code."), Length(max=20)])


class UserForm(FlaskForm):
    """Add a staff account; its owner sets the password through a one-time link."""

    username = StringField("Username", filters=[strip], validators=[InputRequired(), Length(max=40)])
    full_name = StringField("Full name, as printed on records they sign", filters=[strip],
                            validators=[InputRequired("Please type their full name."),
                                        Length(max=100), plain_text])
    registration = StringField(
        "Professional registration, e.g. GMC 1234567 or NMC 12A3456B (if any)",
        filters=[strip], validators=[Optional(), Length(max=20), Regexp(
            REGISTRATION, message="The body's letters, a space and the number, "
                                  "e.g. GMC 1234567.")])
    role = RadioField("Role", choices=options(("doctor", "Doctor"), (
                                                  "practitioner",
                                                  "Practitioner (nurse, aesthetician)"),
                                              ("reception", "Reception (books visits)"),
                                              ("admin", "Administrator"),
                                              ("doctor_admin", "Doctor and administrator "
                                                               "(a one-doctor clinic)")),
                      validators=[InputRequired()])


def new_password():
    """Declare a new password with its confirmation."""
    return (PasswordField("New password (at least 12 characters)",
                          validators=[InputRequired(), Length(min=12, max=200)]),
            PasswordField("New password again", validators=[
                InputRequired(), EqualTo("password", "The two passwords are not the same.")]))


class PasswordChangeForm(FlaskForm):
    """Change one's own password."""

    current = PasswordField("Current password", validators=[InputRequired(), Length(max=200)])
    password, confirm = new_password()


class LinkForm(FlaskForm):
    """Carry a one-time token from a link's fragment (filled in by link.js)."""

    token = StringField(_l("Code from the link"), filters=[strip],
                        validators=[InputRequired(_l("Please open the whole link.")),
                                    Length(max=100)])


class SetupForm(LinkForm):
    """Set one's first password through a set-up link."""

    password, confirm = new_password()


class KioskForm(FlaskForm):
    """Name a tablet to enrol."""

    name = StringField("Tablet name", filters=[strip],
                       validators=[InputRequired(), Length(max=60), plain_text])


class ConfirmForm(FlaskForm):
    """A button that only carries the CSRF token."""
