"""Forms around a visit: reception books it; the patient opens a link and reports a reaction."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..intake.questionnaire import QUESTIONS
from ..kernel.languages import CLINIC
from .fields import MultiCheckboxField, options, strip
from .staff import LinkForm
from .validators import (born_within_120_years, email_address, not_in_future, person_name,
                         phone_number, plain_text)


class VisitForm(FlaskForm):
    """Reception books a visit: who, when, what, and how to reach them."""

    first_name = StringField("First name", filters=[strip], validators=[
        InputRequired("Enter the first name."), Length(max=100), person_name])
    last_name = StringField("Last name", filters=[strip], validators=[
        InputRequired("Enter the last name."), Length(max=100), person_name])
    date_of_birth = DateField("Date of birth", validators=[InputRequired(
        "Enter the date of birth."), born_within_120_years])
    email = StringField("E-mail", filters=[strip],
                        validators=[Optional(), Length(max=200), email_address])
    phone = StringField("Phone", filters=[strip],
                        validators=[Optional(), Length(max=40), phone_number])
    treatment = RadioField("Treatment", choices=options(*QUESTIONS["treatment"].choices),
        validators=[InputRequired("Choose a treatment.")])
    # Not "treatment_date": the shared validators read that name as the day answers are for.
    visit_date = DateField("Treatment date", validators=[InputRequired(
        "Enter the treatment date.")])
    visit_time = TimeField("Time", validators=[Optional()])
    # Choices: the languages patients are offered (set by the page).
    language = SelectField("Language of the patient's e-mails and pages",
                           validators=[DataRequired("Choose a language.")], default=CLINIC)

    def details(self):
        """Return the booking as the domain takes it."""
        return {**{name: self[name].data for name in (
            "first_name", "last_name", "date_of_birth", "email", "phone", "treatment")},
            "treatment_date": self.visit_date.data,
            "visit_time": self.visit_time.data.strftime("%H:%M") if self.visit_time.data
            else None, "language": None if self.language.data == CLINIC else self.language.data}


class OpenLinkForm(LinkForm):
    """The patient's date of birth, and the link's token (link.js reads it from the fragment)."""

    date_of_birth = DateField(_l("Your date of birth"), validators=[InputRequired(
        _l("Enter your date of birth."))])


class ReactionForm(FlaskForm):
    """A patient tells the clinic about a reaction after treatment."""

    what = TextAreaField(_l("What are you noticing?"), filters=[strip], validators=[
        InputRequired(_l("Tell us what you are noticing.")), Length(max=2000), plain_text])
    area = SelectField(_l("Where?"), validators=[InputRequired(_l("Choose where."))])
    since = DateField(_l("Since when?"), validators=[
        InputRequired(_l("Enter the date it started.")), not_in_future])
    photo = FileField(_l("A photo (optional)"), validators=[Optional()])


class PhotoWithdrawalForm(FlaskForm):
    """The patient withdraws photo permissions they gave; the choices are theirs only."""

    withdraw = MultiCheckboxField(_l("Withdraw my permission for"), validators=[
        InputRequired(_l("Tick the permission you want to withdraw."))])
