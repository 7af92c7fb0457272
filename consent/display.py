"""Show stored answers as the patient saw the questions: shared by the PDF and review pages."""
from .forms import MEDICAL_SECTIONS, QuestionnaireForm


def label(name):
    """Return the question a field asks, as the patient saw it."""
    return getattr(QuestionnaireForm, name).args[0]


def show(name, value):
    """Render a stored answer the way a reader expects."""
    choices = {c.value: c.label for c in getattr(QuestionnaireForm, name).kwargs.get("choices", [])}
    if isinstance(value, list):
        return ", ".join(choices.get(v, v) for v in value) or "none"
    if value is None:
        return "not asked"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return choices.get(value, value) or "not given"


def answer_sections(answers, evaluation):
    """Group answers by questionnaire section, marking those a flag points at."""
    flagged = {name for flag in evaluation["flags"] for name in flag["fields"]}
    return [(title, [{"name": n, "label": label(n), "value": show(n, answers.get(n)),
                      "flagged": n in flagged} for n in names])
            for _, title, names in MEDICAL_SECTIONS]
