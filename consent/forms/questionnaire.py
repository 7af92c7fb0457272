"""The patient's WTForms forms, built from the one questionnaire definition."""
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..intake.answers import AnswerError, encode, formdata
from ..intake.questionnaire import EDITION, SECTIONS, medical_sections, unasked
from ..kernel.languages import N_
from . import validators as check
from .fields import MonthOrDateField, MultiCheckboxField, options, strip


def words(text):
    """Return declared words in the page's language when shown ("" stays "")."""
    return _l(text) if text else text


def first_check(question):
    """Return the presence check: required, required only when asked, or optional."""
    message = words(question.required)
    if question.for_minors:
        return [check.RequiredForMinors(message)]
    if question.when:
        return [check.RequiredWhen(*question.when, message)]
    if question.required:
        return [(DataRequired if question.kind == "tick" else InputRequired)(message)]
    return [Optional()] if question.kind in ("text", "textarea", "date") else []


def field(question):
    """Declare the WTForms field that asks a question."""
    checks = first_check(question)
    if question.kind in ("text", "textarea"):
        checks += [Length(max=question.max_chars), check.plain_text]
    checks += [getattr(check, name) for name in question.checks]
    common = dict(description=words(question.hint), validators=checks,
                  default=question.default or None)
    label = words(question.label)
    choices = options(*((value, words(text)) for value, text in question.choices))
    if question.kind in ("text", "textarea"):
        kind = TextAreaField if question.kind == "textarea" else StringField
        return kind(label, filters=[strip], **common)
    if question.kind == "date":
        if question.month_allowed:
            return MonthOrDateField(label, format=["%Y-%m-%d", "%Y-%m"], **common)
        return DateField(label, format=["%Y-%m-%d"], **common)
    if question.kind in ("yes_no", "choice"):
        return RadioField(label, choices=choices, **common)
    if question.kind == "multi":
        return MultiCheckboxField(label, choices=choices, **common)
    if question.kind == "tick":
        return BooleanField(label, **common)
    return HiddenField(label, **common)  # the drawn signature


def form_class(name, questions, base=FlaskForm, **methods):
    """Build a form class with one field per question, in questionnaire order."""
    return type(name, (base,), {**{q.name: field(q) for q in questions}, **methods})


def guardian(form):
    """Return how the guardian signed and the PNG kept: (kind, png), or None for adults."""
    png = getattr(form.guardian_signature, "png", None)
    if png is None:
        return None
    return ("typed", b"") if form.guardian_signature_typed.data else ("drawn", png)


def validate_signed_name(form, field):
    """Require the typed name to match the patient's first and last name."""
    def squash(name):
        return "".join((name or "").split()).casefold()
    if squash(field.data) != squash(f"{form.first_name.data}{form.last_name.data}"):
        raise check.ValidationError(gettext("Please type your first and last name as given "
                                            "above."))


AnswersForm = form_class("AnswersForm", [q for s in medical_sections() for q in s.questions])
# Not an answer: how the patient signed, stored beside the signature (issue 16).
TYPED = N_("I can't draw a signature. I confirm that my full name, typed above, is my "
           "signature.")
TYPED_SIGNATURE = BooleanField(_l(TYPED))
GUARDIAN_TYPED = BooleanField(_l(TYPED))
QuestionnaireForm = form_class("QuestionnaireForm", SECTIONS[-1].questions, base=AnswersForm,
                               validate_signed_name=validate_signed_name,
                               signature_typed=TYPED_SIGNATURE,
                               guardian_signature_typed=GUARDIAN_TYPED, guardian=guardian)


def encode_form(form):
    """Return a validated form's answers in the dictionary's JSON encoding."""
    return encode({f.name: f.data for f in form})


def validated_answers(raw, treatment_date, edition=EDITION):
    """Validate answers in the JSON encoding with the questionnaire's own checks.

    Answers of an earlier edition lack the questions added since: those were not asked.
    """
    data, problems = formdata(raw, medical_sections())
    form = AnswersForm(formdata=MultiDict(data), meta={"csrf": False})
    for name in unasked(edition) - set(raw if isinstance(raw, dict) else ()):
        if name in form:
            del form[name]
    form.treatment_date = treatment_date
    if not form.validate() or problems:  # every field at fault, in one report
        raise AnswerError.of({**{name: errors[0] for name, errors in form.errors.items()
                                 if name not in problems}, **problems})
    return encode_form(form)
