"""Show stored answers as the patient saw the questions: shared by the PDF and staff pages."""
from .questionnaire import QUESTIONS, medical_sections


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
    return question.choice_label(value) or "not given"


def answer_sections(answers, evaluation):
    """Group answers by questionnaire section, marking those a flag points at."""
    flagged = {name for flag in evaluation["flags"] for name in flag["fields"]}
    return [(section.title, [{"name": q.name, "label": q.label,
                              "value": show(q.name, answers.get(q.name)),
                              "flagged": q.name in flagged} for q in section.questions])
            for section in medical_sections()]
