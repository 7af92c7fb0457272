"""Field helpers the forms share."""
import calendar
import re

from wtforms import DateField, SelectChoice, SelectMultipleField, widgets

from ..kernel.clock import MonthEnd


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


class MonthOrDateField(DateField):
    """A date, or a month alone read as its last day: a waiting window is never shortened."""

    month_only = False

    def process_formdata(self, valuelist):
        """Parse the date; a bare YYYY-MM becomes the last day of that month."""
        self.month_only = bool(valuelist) and bool(re.fullmatch(r"\d{4}-\d{2}",
                                                               valuelist[0] or ""))
        super().process_formdata(valuelist)
        if self.month_only and self.data:
            last = calendar.monthrange(self.data.year, self.data.month)[1]
            self.data = MonthEnd(self.data.year, self.data.month, last)
