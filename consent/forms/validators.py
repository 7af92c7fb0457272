"""Field checks shared by the forms, as (form, field) callables."""
import re
import unicodedata

from flask import current_app
from flask_babel import gettext, lazy_gettext as _l
from wtforms.validators import StopValidation, ValidationError

from ..intake import signature
from ..intake.catalogue import AREAS, TREATMENTS
from ..kernel import clock, names

MARKUP = re.compile(r"<\s*[a-zA-Z/!?]")
NAME_PUNCTUATION = set(" '’-.")
EMAIL = re.compile(r"[^@\s<>\"]{1,64}@[^@\s<>\"]+\.[^@\s<>\".]{2,}")
PHONE = re.compile(r"[0-9 +()\-]*")
KEEP_IN_TEXTAREA = set("\n\r\t")
ADULT = 18  # years; a younger patient needs a parent's or guardian's part


def clinic_today():
    """Return today's date in the clinic's time zone."""
    return clock.today(current_app.config["CLINIC_TIMEZONE"])


def reference_date(form):
    """Return the date answers are judged on: the form's treatment date, else today."""
    return getattr(form, "treatment_date", None) or clinic_today()


class RequiredWhen:
    """Require the field when another field has a value; otherwise ignore it entirely."""

    def __init__(self, other, value, message=_l("Please answer this question.")):
        self.other, self.value, self.message = other, value, message
        self.field_flags = {}

    def applies(self, form):
        """Tell whether skip logic shows this field for the form's answers."""
        return form[self.other].data == self.value

    def __call__(self, form, field):
        field.errors[:] = []
        if not self.applies(form):
            raise StopValidation()
        if not field.data:
            raise StopValidation(str(self.message))


class RequiredForMinors(RequiredWhen):
    """Require the field for a patient under 18 on the treatment date; else ignore it."""

    def __init__(self, message):
        super().__init__("date_of_birth", None, message)

    def __call__(self, form, field):
        if not self.applies(form):  # an adult: nothing a guardian typed is kept
            field.data = None if field.type == "RadioField" else ""
        typed = getattr(form, f"{field.name}_typed", None)  # "I can't draw": the name signs
        if typed is not None and typed.data and self.applies(form):
            field.errors[:] = []
            return
        super().__call__(form, field)

    def applies(self, form):
        """Tell whether the patient is under 18 on the day the answers are judged."""
        born = form.date_of_birth.data
        return bool(born) and clock.years_between(born, reference_date(form)) < ADULT


def plain_text(form, field):
    """Refuse control characters and anything that looks like markup."""
    text = field.data or ""
    allowed = KEEP_IN_TEXTAREA if field.type == "TextAreaField" else set()
    if any(unicodedata.category(c) in ("Cc", "Cf") and c not in allowed for c in text):
        raise ValidationError(gettext("Please remove the special (control) characters."))
    if MARKUP.search(text):
        raise ValidationError(gettext("Please don't type < directly before a letter."))


def person_name(form, field):
    """Accept letters, spaces, apostrophes, hyphens and full stops only."""
    text = field.data or ""
    ok = all(c in NAME_PUNCTUATION or unicodedata.category(c)[0] in "LM" for c in text)
    if not ok or not any(c.isalpha() for c in text):
        raise ValidationError(gettext("Please use letters only (spaces, ' and - are fine)."))
    if message := names.problem(text):
        raise ValidationError(gettext(message))


def phone_number(form, field):
    """Accept digits, spaces and + ( ) - only."""
    if not PHONE.fullmatch(field.data or ""):
        raise ValidationError(gettext("Please use digits, spaces and + ( ) - only."))


def email_address(form, field):
    """Accept a plausible e-mail address."""
    if not EMAIL.fullmatch(field.data or ""):
        raise ValidationError(gettext("Please enter a valid e-mail address, like "
                                      "name@example.com."))


def not_in_future(form, field):
    """Refuse dates after today (a month alone that is this month counts up to today)."""
    if field.data and field.data > reference_date(form) and getattr(field, "month_only", False):
        field.data = reference_date(form)
    elif field.data and field.data > reference_date(form):
        raise ValidationError(gettext("This date is in the future. Please check it."))


def born_within_120_years(form, field):
    """Refuse a date of birth more than 120 years ago."""
    if field.data and clock.years_between(field.data, reference_date(form)) > 120:
        raise ValidationError(gettext("Please check the year of birth."))


def guardian_signature(form, field):
    """Decode and re-encode the guardian's drawn signature; keep the clean PNG."""
    if getattr(form, "guardian_signature_typed", None) and form.guardian_signature_typed.data:
        field.png = b""  # the guardian's typed name is their signature
        return
    try:
        field.png = signature.clean_png(field.data or "")
    except signature.SignatureError as error:
        raise ValidationError(gettext(str(error))) from None


def drawn_signature(form, field):
    """Decode and re-encode the drawn signature; keep the clean PNG on the field."""
    if getattr(form, "signature_typed", None) and form.signature_typed.data:
        field.png = b""  # the typed name is the signature; nothing drawn is kept
        return
    try:
        field.png = signature.clean_png(field.data or "")
    except signature.SignatureError as error:
        raise ValidationError(gettext(str(error))) from None


def offered_for_treatment(form, field):
    """Refuse an area the chosen treatment is not offered on (the catalogue says where)."""
    treatment = TREATMENTS.get(form.treatment.data)
    known = dict(AREAS)  # an unknown area is the choice check's to report
    refused = [area for area in field.data or []
               if treatment and area in known and area not in treatment.areas]
    if refused:
        where = ", ".join(gettext(known[area]).lower() for area in refused)
        raise ValidationError(gettext("%(treatment)s is not offered on the %(areas)s. Please "
                                      "untick it, or ask at reception.",
                                      treatment=gettext(treatment.name), areas=where))
