"""Answers in the data dictionary's JSON encoding, to and from forms."""
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, DateField, SelectMultipleField
from wtforms.fields.core import UnboundField

from .forms.validators import RequiredWhen

NOT_ANSWERS = {"csrf_token", "signature"}


class AnswerError(ValueError):
    """An answer that does not fit the dictionary; names the field."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field


def hidden(form, field):
    """Tell whether skip logic hides this field for the form's answers."""
    return any(isinstance(v, RequiredWhen) and not v.applies(form) for v in field.validators)


def encode_field(form, field):
    """Encode one validated field as the dictionary says."""
    if isinstance(field, BooleanField):
        return bool(field.data)
    if isinstance(field, SelectMultipleField):
        chosen = set(field.data or ()) if not hidden(form, field) else set()
        return [choice.value for choice in field.choices if choice.value in chosen]
    if isinstance(field, DateField):
        return field.data.isoformat() if field.data and not hidden(form, field) else None
    if field.type == "RadioField":
        return None if hidden(form, field) else field.data
    return field.data or ""


def encode(form):
    """Return a validated form's answers as a JSON-ready dict, in form order."""
    return {f.name: encode_field(form, f) for f in form if f.name not in NOT_ANSWERS}


def field_names(form_class):
    """List the answer fields a form class declares."""
    names = (n for n in dir(form_class) if isinstance(getattr(form_class, n, None), UnboundField))
    return set(names) - NOT_ANSWERS


def to_formdata(answers, form_class):
    """Turn answers in the JSON encoding into form data the same form can validate."""
    if not isinstance(answers, dict):
        raise AnswerError("answers", "must be a JSON object")
    names = field_names(form_class)
    data = MultiDict()
    for name, value in answers.items():
        if name not in names:
            raise AnswerError(name, "is not a field of the questionnaire")
        multi = issubclass(getattr(form_class, name).field_class, SelectMultipleField)
        if multi != isinstance(value, list):
            raise AnswerError(name, "must be a list" if multi else "must not be a list")
        if multi and all(isinstance(v, str) for v in value):
            data.setlist(name, value)
        elif isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, str):
            data[name] = value
        elif value is not None:
            raise AnswerError(name, f"has the wrong type ({type(value).__name__})")
    return data
