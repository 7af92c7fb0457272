"""Forms practitioners use: countersigning a consent, recording a treatment, a signing PIN."""
import functools
from datetime import datetime
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateField, DecimalField, FieldList, Form, FormField,
                     IntegerField, PasswordField, RadioField, SelectField, StringField,
                     TextAreaField, TimeField)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from ..intake.catalogue import AREAS, TREATMENTS
from ..kernel import clock
from .fields import MultiCheckboxField, options, strip
from .validators import plain_text

PRODUCT_ROWS = 3


def text(label, size=200):
    """Declare an optional one-line text field, plain text only."""
    return StringField(label, filters=[strip], validators=[Length(max=size), plain_text])


class SigningFields(FlaskForm):
    """Re-prove who you are to sign: a PIN, or your password and a fresh code."""

    pin = PasswordField("Signing PIN", validators=[Optional(), Length(max=12)])
    password = PasswordField("Password", validators=[Optional(), Length(max=200)])
    code = StringField("Authenticator code", filters=[strip], validators=[Length(max=20)])


class CountersignForm(SigningFields):
    """The practitioner's countersignature of a patient's consent."""

    identity_checked = BooleanField("I checked the patient's identity.")
    guardian_checked = BooleanField("I checked the identity of the parent or guardian, and "
                                    "that they have parental responsibility for the patient.")
    discussed = BooleanField("I discussed the risks, benefits and alternatives (including no "
                             "treatment) with the patient.")
    capacity_confirmed = BooleanField("The patient has capacity to make this decision and "
                                      "consents voluntarily, without pressure from anyone.")
    interpreter = RadioField("Interpreter", choices=options(
        ("none", "No interpreter was needed"), ("used", "An interpreter was used")),
        validators=[Optional()])
    interpreter_name = text("The interpreter's name (when one was used)")
    answer_to_questions = TextAreaField("Your answer to the patient's question", filters=[strip],
                                        validators=[Length(max=2000), plain_text])
    unchanged_confirmed = BooleanField("The patient answered at home and confirmed today that "
                                       "nothing has changed since.")
    cooling_off_reason = TextAreaField("Doctor's reason for treating before the cooling-off "
                                       "period ends", filters=[strip],
                                       validators=[Length(max=2000), plain_text])


class ProductForm(Form):
    """One product used: name, batch and expiry date."""

    name = text("Product")
    batch = text("Batch or lot", 100)
    expiry = DateField("Expiry date", validators=[Optional()])


class TreatmentForm(FlaskForm):
    """What was done, or why nothing was."""

    outcome = RadioField("Was the treatment given?", choices=options(
        ("treated", "Treated"), ("not_treated", "Not treated")),
        validators=[InputRequired("Say whether the treatment was given.")])
    reason = TextAreaField("Why not (when not treated)", filters=[strip],
                           validators=[Length(max=2000), plain_text])
    treated_at = TimeField("Time of treatment", validators=[Optional()])
    areas = MultiCheckboxField("Areas treated", choices=options(*AREAS))
    numbing_product = text("Numbing cream (leave empty if none)")
    numbing_areas = MultiCheckboxField("Where the cream went", choices=options(*AREAS))
    numbing_grams = DecimalField("Amount of cream (grams)", places=1,
                                 validators=[Optional(), NumberRange(0, 1000)])
    numbing_minutes = IntegerField("Minutes the cream was on", validators=[Optional()])
    # Choices are the clinic's doctors, set by the page; checked again when recorded.
    numbing_reviewed_by = SelectField("Doctor who reviewed a large amount of cream",
                                      validate_choice=False)
    products = FieldList(FormField(ProductForm), min_entries=PRODUCT_ROWS,
                         max_entries=PRODUCT_ROWS)
    reaction = TextAreaField("Immediate reaction, if any", filters=[strip],
                             validators=[Length(max=2000), plain_text])

    def details(self, day, tz):
        """Return what the form records, in the treatment record's shape."""
        at = self.treated_at.data or clock.now().astimezone(ZoneInfo(tz)).time()
        moment = datetime.combine(day, at.replace(second=0, microsecond=0), ZoneInfo(tz))
        return {
            "treated_at": clock.iso(moment),
            "areas": [{"area": area, **{field.name: recorded(self[f"{field.name}_{area}"])
                                        for field in self.record}}
                      for area in self.areas.data],
            "numbing": {"product": self.numbing_product.data, "areas": self.numbing_areas.data,
                        "grams": (float(self.numbing_grams.data)
                                  if self.numbing_grams.data is not None else None),
                        "minutes": self.numbing_minutes.data,
                        **({"reviewed_by": self.numbing_reviewed_by.data}
                           if self.numbing_reviewed_by.data else {})}
            if self.numbing_product.data
            else None,
            "products": [{"name": row.form.name.data, "batch": row.form.batch.data,
                          "expiry": row.form.expiry.data and row.form.expiry.data.isoformat()}
                         for row in self.products if any((row.form.name.data,
                                                          row.form.batch.data,
                                                          row.form.expiry.data))],
            "reaction": self.reaction.data,
        }


def recorded(field):
    """Return a value as the record stores it: a number as a number, nothing as None."""
    if field.data is None or field.data == "":
        return None
    return float(field.data) if isinstance(field, DecimalField) else field.data


def asked(field, area):
    """Declare the form field that asks one catalogue record field for one area."""
    label = f"{field.label} on {dict(AREAS)[area].lower()}" + \
        (f" ({field.unit})" if field.unit else "")
    if field.kind == "number":
        return DecimalField(label, places=3, validators=[Optional()])
    if field.kind == "whole":
        return IntegerField(label, validators=[Optional()])
    if field.kind == "choice":
        # The record checks the choice: areas not treated submit nothing, and that is fine.
        return SelectField(label, choices=options(("", "Choose"), *field.choices),
                           validate_choice=False)
    return text(label, 100)


@functools.cache
def treatment_form(treatment):
    """Return the record form for a treatment: its catalogue fields asked for each area."""
    record = TREATMENTS[treatment].record if treatment in TREATMENTS else ()
    asks = {f"{field.name}_{area}": asked(field, area) for field in record for area, _ in AREAS}
    return type(f"TreatmentForm_{treatment}", (TreatmentForm,), {**asks, "record": record})


class PinForm(FlaskForm):
    """Set a signing PIN, confirmed with the account's password."""

    password = PasswordField("Your password", validators=[InputRequired()])
    pin = PasswordField("New signing PIN (6 to 12 digits)", validators=[InputRequired()])
