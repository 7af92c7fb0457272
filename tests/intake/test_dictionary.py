"""Keep the form in step with the data dictionary: edition 3 (docs), built on the clinic's 2."""
import re

import pytest

from consent.forms import QuestionnaireForm
from consent.intake.questionnaire import EDITION, QUESTIONS, SECTIONS

from conftest import ROOT, SHARED

CHECKED_COPY = ROOT / "docs" / "questionnaire.md"
FIELD_CLASS = {"text": ("StringField", "TextAreaField"), "date": ("DateField", "MonthOrDateField"),
               "yes/no": ("RadioField",), "choice": ("RadioField",),
               "multi": ("MultiCheckboxField",), "checkbox": ("BooleanField",),
               "PNG data URL": ("HiddenField",)}


def dictionary(path=CHECKED_COPY):
    """Parse the dictionary into sections of (field, type, choices) rows."""
    sections, rows = [], None
    for line in path.read_text().splitlines():
        if heading := re.match(r"## \d+\. (.+)", line):
            rows = []
            sections.append((heading[1], rows))
        elif line.startswith("## "):
            rows = None
        elif rows is not None and line.startswith("| ") and not line.startswith("| field"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            choices = re.findall(r"`([a-z_0-9]+)`", " ".join(cells[2:]))
            rows.append((cells[0], cells[1], choices))
    return sections


def test_edition_3_keeps_every_field_of_the_clinics_edition_2():
    assert CHECKED_COPY.read_text().startswith(
        "# Pre-treatment questionnaire: data dictionary and clinical rule table (edition 3)")
    assert EDITION == "3"
    shared = SHARED / "questionnaire-edition-2.md"
    if not shared.exists():  # CI has shared/ beside the clone; a bare clone tests the copy
        return
    now = {name: (kind, choices) for _, rows in dictionary() for name, kind, choices in rows}
    for _, rows in dictionary(shared):
        for name, kind, choices in rows:
            assert name in now and now[name][0] == kind, name  # nothing dropped or retyped
            assert set(choices) <= set(now[name][1]), name  # choices only added


def test_sections_follow_the_dictionary():
    assert [(title, [row[0] for row in rows]) for title, rows in dictionary()] == \
           [(s.title, [q.name for q in s.questions]) for s in SECTIONS]


@pytest.mark.parametrize("name, kind, choices",
                         [row for _, rows in dictionary() for row in rows],
                         ids=lambda value: value if isinstance(value, str) else None)
def test_every_dictionary_field_is_defined_and_in_the_form(app, name, kind, choices):
    assert name in QUESTIONS, f"{name} is missing from consent/intake/questionnaire.py"
    with app.test_request_context():
        form = QuestionnaireForm(meta={"csrf": False})
    field = form[name]
    assert field.type in FIELD_CLASS[kind], f"{name} is a {field.type}, dictionary says {kind}"
    values = [value for value, _ in QUESTIONS[name].choices]
    assert values == [choice.value for choice in getattr(field, "choices", None) or []]
    if kind == "yes/no":
        assert values == ["yes", "no"]
    elif kind == "choice":
        assert values == choices
    elif kind == "multi":
        if choices == ["areas"]:  # "same choices as `areas`"
            choices = [value for value, _ in QUESTIONS["areas"].choices]
        assert values == choices


def test_the_form_has_no_field_the_dictionary_lacks(app):
    names = {row[0] for _, rows in dictionary() for row in rows}
    with app.test_request_context():
        form = QuestionnaireForm(meta={"csrf": False})
    # signature_typed says how the patient signed; it is stored beside the signature,
    # not among the answers (issue 16: signing without drawing).
    beside = {"csrf_token", "signature_typed", "guardian_signature_typed"}
    assert {field.name for field in form} - beside == names == \
        set(QUESTIONS)
