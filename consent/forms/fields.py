"""Field helpers the forms share."""
from wtforms import SelectChoice, SelectMultipleField, widgets


def options(*pairs):
    """Declare choices as (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


def strip(value):
    """Trim surrounding white space from submitted text."""
    return value.strip() if isinstance(value, str) else value


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes that submits several values under one name."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
