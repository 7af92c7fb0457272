"""Field types the questionnaire uses more than once."""
from wtforms import RadioField, SelectChoice, SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import InputRequired, Length, Optional

from .validators import plain_text



def options(*pairs):
    """Declare choices as (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


YES_NO = options(("yes", "Yes"), ("no", "No"))


def strip(value):
    """Trim surrounding white space from submitted text."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes that submits several values under one name."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def yes_no(label, description=""):
    """Declare a required yes/no question."""
    return RadioField(label, choices=YES_NO, description=description,
                      validators=[InputRequired("Please answer yes or no.")])


def text(label, max_chars, *checks, required=False, area=False, description=""):
    """Declare a trimmed text answer with a length limit."""
    first = InputRequired("Please fill this in.") if required else Optional()
    kind = TextAreaField if area else StringField
    return kind(label, filters=[strip], description=description,
                validators=[first, Length(max=max_chars), plain_text, *checks])
