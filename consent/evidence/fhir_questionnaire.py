"""The questionnaire and a patient's answers as FHIR R4B Questionnaire and QuestionnaireResponse."""
import base64
import copy
import functools

from ..intake.answers import asked
from ..intake.questionnaire import EDITION, SECTIONS
from ..kernel.chain import digest
from .narrative import narrative

URL = "urn:consent:questionnaire"
TYPES = {"text": "string", "textarea": "text", "date": "date", "yes_no": "choice",
         "choice": "choice", "multi": "choice", "tick": "boolean", "signature": "attachment"}
# SDC's skip logic where plain enableWhen cannot say it: a parent's part, for a minor on
# the day the answers were signed (today, while a form is being filled in).
ENABLE_WHEN_EXPRESSION = ("http://hl7.org/fhir/uv/sdc/StructureDefinition/"
                          "sdc-questionnaire-enableWhenExpression")
UNDER_18 = ("%resource.repeat(item).where(linkId='date_of_birth').answer.value.where($this > "
            "iif(%resource.authored.toDate().exists(), %resource.authored.toDate(), today()) "
            "- 18 years).exists()")
SDC_PROFILE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire|3.0.0"


def questionnaire():
    """Return the Questionnaire resource, generated from the one questionnaire definition."""
    return copy.deepcopy(definition())


@functools.cache
def definition():
    """Build the Questionnaire once per process: the definition does not change while running."""
    items = [{"linkId": group(section), "text": section.title, "type": "group",
              "item": [question_item(q) for q in section.questions]} for section in SECTIONS]
    version = f"edition-{EDITION}+{digest(items)[:12]}"
    title = "Pre-treatment medical questionnaire and consent"
    return {"resourceType": "Questionnaire", "id": "questionnaire", "url": URL,
            "name": "ConsentQuestionnaire", "title": title, "version": version,
            "status": "active", "subjectType": ["Patient"],
            "text": narrative(f"{title}, edition {EDITION}."), "item": items}


def sdc_questionnaire():
    """Return the Questionnaire as served to other systems, declaring SDC's profile."""
    return {**questionnaire(), "meta": {"profile": [SDC_PROFILE]}}


def group(section):
    """Name a section's group: its own linkId, apart from any question's."""
    return f"section-{section.key}"


def question_item(question):
    """Declare one question as a Questionnaire item."""
    item = {"linkId": question.name, "text": question.label, "type": TYPES[question.kind],
            "required": bool(question.required)}
    if question.choices:
        item["answerOption"] = [{"valueCoding": {"code": value, "display": label}}
                                for value, label in question.choices]
    if question.kind == "multi":
        item["repeats"] = True
    if question.when:
        field, value = question.when
        item["enableWhen"] = [{"question": field, "operator": "=",
                               "answerCoding": {"code": value}}]
    if question.for_minors:
        item["extension"] = [{"url": ENABLE_WHEN_EXPRESSION, "valueExpression": {
            "language": "text/fhirpath", "expression": UNDER_18}}]
    return item


def response_answers(question, value):
    """Encode one stored answer as QuestionnaireResponse answers (none when empty)."""
    if question.kind == "tick":
        return [{"valueBoolean": bool(value)}]
    if not value:
        return []
    if question.kind == "signature":
        return [{"valueAttachment": value}]
    if question.choices:
        return [{"valueCoding": {"code": v, "display": question.choice_label(v)}}
                for v in (value if isinstance(value, list) else [value])]
    return [{"valueDate" if question.kind == "date" else "valueString": value}]


def signature(submission, prefix=""):
    """Return a signature as an attachment: the drawing, or the typed name's statement."""
    kind, image = submission.get(f"{prefix}signature_kind"), submission.get(f"{prefix}signature")
    if kind == "typed":
        name = submission["answers"].get(f"{prefix}signed_name") or submission["answers"].get(
            "guardian_name")
        text = f"Typed, not drawn: {name}, confirmed as the signature".encode()
        return {"contentType": "text/plain", "data": base64.b64encode(text).decode()}
    if image:
        return {"contentType": "image/png", "data": base64.b64encode(image).decode()}
    return None


def enabled(question, answers):
    """Tell whether the patient was asked a question: its skip logic, a minor's parts."""
    if question.for_minors:  # asked only for a minor; an adult's are never kept
        return bool(answers.get(question.name)) or question.kind == "signature" and bool(
            answers.get("guardian_name"))
    return asked(question, answers)


def answers_of(submission):
    """Return a submission's answers with its signatures, by linkId."""
    return {**submission["answers"], "signature": signature(submission),
            "guardian_signature": signature(submission, "guardian_")}


def response(submission, form, ids):
    """Return the QuestionnaireResponse, nested as the Questionnaire is, for its version."""
    answers = answers_of(submission)
    groups = []
    for section in SECTIONS:
        items = [{"linkId": q.name, "text": q.label,
                  "answer": response_answers(q, answers.get(q.name))}
                 for q in section.questions if enabled(q, answers) and q.name in answers]
        items = [item for item in items if item["answer"]]
        if items:
            groups.append({"linkId": group(section), "text": section.title, "item": items})
    return {"resourceType": "QuestionnaireResponse", "id": "response", "status": "completed",
            "questionnaire": f"{URL}|{form['version']}", "subject": {"reference": ids["patient"]},
            "authored": submission["signed_at"],
            "text": narrative(f"The answers of {patient_name(submission)}, signed "
                              f"{submission['signed_at']}."),
            "item": groups}


def patient_name(submission):
    """Return the patient's name as they gave it."""
    return f"{submission['answers']['first_name']} {submission['answers']['last_name']}"
