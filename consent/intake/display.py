"""Show stored answers as the patient saw the questions: shared by the PDF and staff pages."""
from ..kernel.clock import spoken
from .questionnaire import EDITION_1_LABELS, QUESTIONS, medical_sections

# Records sealed before countersigning existed keep their status; staff read what it meant.
STATES = {"cleared": "consented (cleared; sealed before countersigning)",
          "approved": "consented (approved; sealed before countersigning)"}


def label(name):
    """Return the question a field asks, as the patient saw it."""
    return QUESTIONS[name].label


def show(name, value):
    """Render a stored answer the way a reader expects, with the patient's labels."""
    question = QUESTIONS[name]
    if isinstance(value, list):
        return ", ".join(question.choice_label(v) for v in value) or "none"
    if value is None:
        return "not asked"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if question.kind == "date":
        return spoken(value) or "not given"
    return question.choice_label(value) or "not given"


def answer_sections(answers, evaluation, edition="1"):
    """Group answers by questionnaire section, marking those a flag points at.

    Answers given under edition 1 show the words the patient read then, and only the
    questions they were asked.
    """
    flagged = {name for flag in evaluation["flags"] for name in flag["fields"]}
    old = edition == "1"
    return [(section.title, [{"name": q.name, "flagged": q.name in flagged,
                              "label": EDITION_1_LABELS.get(q.name, q.label) if old else q.label,
                              "value": show(q.name, answers.get(q.name))}
                             for q in section.questions if not old or q.name in answers])
            for section in medical_sections()]
