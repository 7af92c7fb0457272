"""The questionnaire and a patient's answers as FHIR R4B Questionnaire and QuestionnaireResponse."""
import copy
import functools

from ..intake.questionnaire import EDITION, SECTIONS, answer_questions
from ..kernel.chain import digest

URL = "urn:consent:questionnaire"
TYPES = {"text": "string", "textarea": "text", "date": "date", "yes_no": "choice",
         "choice": "choice", "multi": "choice", "tick": "boolean", "signature": "attachment"}


def questionnaire():
    """Return the Questionnaire resource, generated from the one questionnaire definition."""
    return copy.deepcopy(definition())


@functools.cache
def definition():
    """Build the Questionnaire once per process: the definition does not change while running."""
    items = [{"linkId": section.key, "text": section.title, "type": "group",
              "item": [question_item(q) for q in section.questions]} for section in SECTIONS]
    version = f"edition-{EDITION}+{digest(items)[:12]}"
    return {"resourceType": "Questionnaire", "id": "questionnaire", "url": URL,
            "version": version, "status": "active", "item": items}


def question_item(question):
    """Declare one question as a Questionnaire item."""
    item = {"linkId": question.name, "text": question.label, "type": TYPES[question.kind],
            "required": bool(question.required)}
    if question.choices:
        item["answerOption"] = [{"valueCoding": {"code": value, "display": label}}
                                for value, label in question.choices]
    if question.kind == "multi":
        item["repeats"] = True
    return item


def response_answers(question, value):
    """Encode one stored answer as QuestionnaireResponse answers (none when empty)."""
    if question.kind == "tick":
        return [{"valueBoolean": bool(value)}]
    if not value:
        return []
    if question.choices:
        return [{"valueCoding": {"code": v, "display": question.choice_label(v)}}
                for v in (value if isinstance(value, list) else [value])]
    return [{"valueDate" if question.kind == "date" else "valueString": value}]


def response(sid, answers, form, ids):
    """Return the QuestionnaireResponse pointing at this version of the questionnaire."""
    items = [{"linkId": q.name, "text": q.label, "answer": response_answers(q, answers.get(q.name))}
             for q in answer_questions() if q.name in answers]
    return {"resourceType": "QuestionnaireResponse", "id": "response", "status": "completed",
            "questionnaire": f"{URL}|{form['version']}", "subject": {"reference": ids["patient"]},
            "item": [item if item["answer"] else {k: item[k] for k in ("linkId", "text")}
                     for item in items]}
