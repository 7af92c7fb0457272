"""A finalised record as a FHIR R4B Bundle, built and validated with fhir.resources."""
import base64
import hashlib
import uuid

from fhir.resources.R4B.bundle import Bundle

from .chain import digest
from .consents import MEANING
from .questionnaire import SECTIONS, answer_questions

EDITION = "1"
URL = "urn:consent:questionnaire"
TYPES = {"text": "string", "textarea": "text", "date": "date", "yes_no": "choice",
         "choice": "choice", "multi": "choice", "tick": "boolean", "signature": "attachment"}
RELEASE = {"consented": "permit", "approved": "permit", "cleared": "permit", "declined": "deny",
           "deferred": "deny"}


def questionnaire():
    """Return the Questionnaire resource, generated from the one questionnaire definition."""
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


def record(submission, decision, countersigned, staff, clinic, pdf_bytes):
    """Return a validated Bundle (type collection) for one finalised submission.

    staff maps "doctor" (who decided) and "practitioner" (who countersigned) to their
    profiles, each None when nobody did.
    """
    sid, answers = submission["id"], submission["answers"]
    form = questionnaire()
    ids = {kind: urn(sid, kind) for kind in ("patient", "organization", "doctor", "practitioner",
                                              "response", "consent", "provenance")}
    resources = [form, patient(sid, answers), organization(clinic),
                 response(sid, answers, form, ids),
                 consent(submission, decision, countersigned, ids, pdf_bytes),
                 provenance(submission, decision, countersigned, ids)]
    resources += [practitioner(kind, person) for kind, person in staff.items() if person]
    resources += issues(submission, ids)
    entries = [{"fullUrl": urn(sid, r["id"]), "resource": r} for r in resources]
    return Bundle.model_validate({"resourceType": "Bundle", "type": "collection",
                                  "timestamp": submission["signed_at"], "entry": entries})


MEANINGS = {"doctor": "Decided on the patient's eligibility for this treatment.",
            "practitioner": MEANING}


def urn(sid, kind):
    """Name one resource of one record, the same way every time it is exported."""
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{URL}/{sid}/{kind}')}"


def patient(sid, answers):
    """Describe the patient as they gave their details."""
    telecom = [{"system": s, "value": answers[k]} for s, k in (("phone", "phone"),
                                                              ("email", "email")) if answers.get(k)]
    return {"resourceType": "Patient", "id": "patient", "telecom": telecom,
            "name": [{"family": answers["last_name"], "given": [answers["first_name"]]}],
            "birthDate": answers["date_of_birth"]}


def organization(clinic):
    """Describe the clinic."""
    return {"resourceType": "Organization", "id": "organization", "name": clinic["name"],
            "address": [{"text": clinic["address"]}]}


def practitioner(kind, person):
    """Describe the doctor or practitioner, with their registration when recorded."""
    found = {"resourceType": "Practitioner", "id": kind,
             "name": [{"text": person["full_name"] or person["username"]}]}
    if person["registration"]:
        body, number = person["registration"].split(" ", 1)
        found["identifier"] = [{"system": f"urn:consent:registration:{body}", "value": number}]
    return found


def response(sid, answers, form, ids):
    """Return the QuestionnaireResponse pointing at this version of the questionnaire."""
    items = [{"linkId": q.name, "text": q.label, "answer": response_answers(q, answers.get(q.name))}
             for q in answer_questions() if q.name in answers]
    return {"resourceType": "QuestionnaireResponse", "id": "response", "status": "completed",
            "questionnaire": f"{URL}|{form['version']}", "subject": {"reference": ids["patient"]},
            "item": [item if item["answer"] else {k: item[k] for k in ("linkId", "text")}
                     for item in items]}


def consent(submission, decision, countersigned, ids, pdf_bytes):
    """Return the Consent: treatment, permit or deny, the sealed PDF as its source."""
    outcome = "consented" if countersigned else (decision or {}).get("outcome",
                                                                     submission["status"])
    return {"resourceType": "Consent", "id": "consent", "status": "active",
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                  "code": "treatment"}]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0",
                                      "display": "Patient Consent"}]}],
            "patient": {"reference": ids["patient"]}, "dateTime": submission["signed_at"],
            # Who took consent in person; before countersigning existed, the patient alone.
            "performer": [{"reference": ids["practitioner" if countersigned else "patient"]}],
            "organization": [{"reference": ids["organization"]}],
            "sourceAttachment": {"contentType": "application/pdf",
                                 "title": f"Sealed record {submission['id']}",
                                 "hash": base64.b64encode(hashlib.sha1(pdf_bytes).digest())
                                 .decode()},
            "provision": {"type": RELEASE.get(outcome, "deny")}}


def provenance(submission, decision, countersigned, ids):
    """Return who signed what: the patient, the doctor's decision, the countersignature."""
    agents = [{"who": {"reference": ids["patient"]}}]
    typed = submission.get("signature_kind") == "typed"
    signed = (f"Typed, not drawn: {submission['answers']['signed_name']}, confirmed as the "
              f"patient's signature").encode() if typed else submission["signature"]
    signatures = [{"type": [{"system": "urn:iso-astm:E1762-95:2013",
                             "code": "1.2.840.10065.1.12.1.7", "display": "Consent Signature"}],
                   "when": submission["signed_at"], "who": {"reference": ids["patient"]},
                   "sigFormat": "text/plain" if typed else "image/png",
                   "data": base64.b64encode(signed).decode()}]
    for who, code, display, when in (
            ("doctor", "5", "Verification Signature", decision and decision["decided_at"]),
            ("practitioner", "3", "Co-participant's Signature",
             countersigned and countersigned["countersigned_at"])):
        if when:
            agents.append({"who": {"reference": ids[who]}, "role": [{"text": MEANINGS[who]}]})
            signatures.append({"type": [{"system": "urn:iso-astm:E1762-95:2013",
                                         "code": f"1.2.840.10065.1.12.1.{code}",
                                         "display": display}],
                               "when": when, "who": {"reference": ids[who]}})
    return {"resourceType": "Provenance", "id": "provenance", "recorded": submission["signed_at"],
            "target": [{"reference": ids["consent"]}, {"reference": ids["response"]}],
            "agent": agents, "signature": signatures}


def issues(submission, ids):
    """Return each flag as a DetectedIssue naming its rule and source."""
    return [{"resourceType": "DetectedIssue", "id": f"flag-{n}", "status": "final",
             "severity": {"stop": "high", "review": "moderate"}.get(flag["severity"], "low"),
             "code": {"text": f"{flag['severity']}: {flag['rule']} ({flag['category']})"},
             "patient": {"reference": ids["patient"]},
             "identifiedDateTime": submission["signed_at"],
             "detail": f"{flag['message']} Source: {flag['source']}"}
            for n, flag in enumerate(submission["evaluation"]["flags"], start=1)]
