"""Show stored answers as the patient saw the questions: shared by the PDF and staff pages."""
from ..kernel.clock import spoken
from ..kernel.languages import N_
from .questionnaire import EDITION_1_LABELS, QUESTIONS, medical_sections

# Records sealed before countersigning existed keep their status; staff read what it meant.
STATES = {"cleared": "consented (cleared; sealed before countersigning)",
          "approved": "consented (approved; sealed before countersigning)"}


def label(name):
    """Return the question a field asks, as the patient saw it."""
    return QUESTIONS[name].label


def show(name, value, words=str, day=spoken):
    """Render a stored answer the way a reader expects, with the patient's labels.

    words translates the labels, day says a date (both in the clinic's language unless given).
    """
    question = QUESTIONS[name]
    if isinstance(value, list):
        return ", ".join(words(question.choice_label(v)) for v in value) or words(N_("none"))
    if value is None:
        return words(N_("not asked"))
    if isinstance(value, bool):
        return words(N_("yes")) if value else words(N_("no"))
    if question.kind == "date":
        return day(value) or words(N_("not given"))
    return words(question.choice_label(value) or N_("not given"))


def answer_sections(answers, evaluation, edition="1", words=str, day=spoken):
    """Group answers by questionnaire section, marking those a flag points at.

    Answers given under edition 1 show the words the patient read then, and only the
    questions they were asked. words and day give them in another language.
    """
    flagged = {name for flag in evaluation["flags"] for name in flag["fields"]}
    old = edition == "1"
    return [(words(section.title), [
        {"name": q.name, "flagged": q.name in flagged,
         "label": words(EDITION_1_LABELS.get(q.name, q.label) if old else q.label),
         "value": show(q.name, answers.get(q.name), words, day)}
        for q in section.questions if not old or q.name in answers])
        for section in medical_sections()]
