"""A finalised record as a FHIR R4B Bundle, built and validated with fhir.resources."""
import base64
import hashlib
import uuid

from fhir.resources.R4B.bundle import Bundle

from ..practice.consents import MEANING
from . import fhir_treatment
from .fhir_questionnaire import URL, patient_name, questionnaire, response
from .fhir_treatment import EXTENSION  # what R4 has no element for
from .narrative import narrative

RELEASE = {"consented": "permit", "approved": "permit", "cleared": "permit", "declined": "deny",
           "deferred": "deny"}


def record(submission, decision, countersigned, staff, clinic, pdf_bytes):
    """Return a validated Bundle (type collection) for one finalised submission."""
    return Bundle.model_validate(bundle(submission, decision, countersigned, staff, clinic,
                                        pdf_bytes))


def bundle(submission, decision, countersigned, staff, clinic, pdf_bytes=None):
    """Return the Bundle as JSON values (the models validate it in `record` and the tests).

    staff maps "doctor" (who decided) and "practitioner" (who countersigned) to their
    profiles, each None when nobody did. Without pdf_bytes (the bundle sealed inside that
    very PDF) the Consent names its source but cannot carry its hash.
    """
    sid, answers = submission["id"], submission["answers"]
    form = questionnaire()
    ids = {kind: urn(sid, kind) for kind in ("patient", "organization", "doctor", "practitioner",
                                              "response", "consent", "provenance", "guardian",
                                              "treating", "procedure")}
    resources = [form, patient(sid, answers), organization(clinic),
                 *([guardian(answers, ids)] if answers.get("guardian_name") else []),
                 response(submission, form, ids),
                 consent(submission, decision, countersigned, ids, pdf_bytes),
                 provenance(submission, decision, countersigned, ids)]
    resources += [practitioner(kind, person) for kind, person in staff.items() if person]
    resources += issues(submission, ids)
    resources += fhir_treatment.resources(submission, ids, lambda kind: urn(sid, kind))
    if submission.get("language"):  # what the patient read and answered in
        for resource in resources:
            if resource["resourceType"] in ("QuestionnaireResponse", "Consent"):
                resource["language"] = submission["language"]
    entries = [{"fullUrl": urn(sid, r["id"]), "resource": r} for r in resources]
    return {"resourceType": "Bundle", "type": "collection", "timestamp": submission["signed_at"],
            "entry": entries}


ROLES = {"doctor": "the doctor who decided", "practitioner": "who took consent in person",
         "treating": "who gave the treatment"}
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
            "text": narrative(f"{answers['first_name']} {answers['last_name']}, born "
                              f"{answers['date_of_birth']}."),
            "name": [{"family": answers["last_name"], "given": [answers["first_name"]]}],
            "birthDate": answers["date_of_birth"]}


def organization(clinic):
    """Describe the clinic."""
    return {"resourceType": "Organization", "id": "organization", "name": clinic["name"],
            "text": narrative(f"{clinic['name']}, {clinic['address']}."),
            "address": [{"text": clinic["address"]}]}


def practitioner(kind, person):
    """Describe the doctor or practitioner, with their registration when recorded."""
    name = person["full_name"] or person["username"]
    found = {"resourceType": "Practitioner", "id": kind, "name": [{"text": name}],
             "text": narrative(f"{name}: {ROLES[kind]}.")}
    if person["registration"]:
        body, number = person["registration"].split(" ", 1)
        found["identifier"] = [{"system": f"urn:consent:registration:{body}", "value": number}]
    return found


# How the questionnaire's relationships read in HL7's RoleCode.
RELATIONSHIPS = {"parent": ("PRN", "parent"), "legal_guardian": ("GUARD", "guardian")}


def guardian(answers, ids):
    """Describe a minor's parent or guardian, who gave consent for them."""
    code, display = RELATIONSHIPS.get(answers.get("guardian_relationship"), ("GUARD", "guardian"))
    return {"resourceType": "RelatedPerson", "id": "guardian",
            "patient": {"reference": ids["patient"]}, "name": [{"text": answers["guardian_name"]}],
            "text": narrative(f"{answers['guardian_name']}, the patient's {display}."),
            "relationship": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": code,
                "display": display}]}]}


def consent(submission, decision, countersigned, ids, pdf_bytes):
    """Return the Consent: treatment, permit or deny, the sealed PDF as its source.

    Its performer is who consented: a minor's parent or guardian, else the patient; the
    practitioner who took consent in person follows.
    """
    outcome = "consented" if countersigned else (decision or {}).get("outcome",
                                                                     submission["status"])
    consenting = "guardian" if submission["answers"].get("guardian_name") else "patient"
    release = RELEASE.get(outcome, "deny")
    return {"resourceType": "Consent", "id": "consent", "status": "active",
            "text": narrative(f"Consent to treatment of {patient_name(submission)}: "
                              f"{release}, signed {submission['signed_at']}."),
            **declared(submission, countersigned),
            "scope": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                  "code": "treatment"}]},
            "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0",
                                      "display": "Patient Consent"}]}],
            "patient": {"reference": ids["patient"]}, "dateTime": submission["signed_at"],
            "performer": [{"reference": ids[consenting]}] + (
                [{"reference": ids["practitioner"]}] if countersigned else []),
            "organization": [{"reference": ids["organization"]}],
            # The rule the consent follows: an opt-in, read and signed in the sealed record.
            "policyRule": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/"
                                                 "v3-ActCode", "code": "OPTIN",
                                       "display": "opt-in"}],
                           "text": "The patient's signed consent in the sealed record"},
            "sourceAttachment": source(submission["id"], pdf_bytes),
            "provision": {"type": release}}


def declared(submission, countersigned):
    """Carry the cost explained, photo permissions withdrawn, and what was confirmed in person."""
    found = []
    if submission["answers"].get("cost_explained") and submission.get("cost_read"):
        found.append({"url": f"{EXTENSION}/cost-explained",
                      "valueString": submission["cost_read"]})
    found += [{"url": f"{EXTENSION}/photo-permission-withdrawn",
               "valueString": f"{name} withdrawn {at}"}
              for name, at in (submission.get("photos_withdrawn") or {}).items()]
    if (countersigned or {}).get("capacity_confirmed"):  # recorded since edition 3
        found += [{"url": f"{EXTENSION}/capacity-and-voluntary-consent", "valueBoolean": True},
                  {"url": f"{EXTENSION}/interpreter",
                   "valueString": countersigned["interpreter"] or "none needed"}]
    return {"extension": found} if found else {}


def source(submission_id, pdf_bytes):
    """Name the sealed PDF the Consent rests on, with its SHA-1 when it is known."""
    found = {"contentType": "application/pdf", "title": f"Sealed record {submission_id}"}
    if pdf_bytes is not None:
        found["hash"] = base64.b64encode(hashlib.sha1(pdf_bytes).digest()).decode()
    return found


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
            "text": narrative(f"Signed by {len(signatures)}: the patient"
                              f"{' and staff' if len(signatures) > 1 else ''}."),
            "target": [{"reference": ids["consent"]}, {"reference": ids["response"]}],
            "agent": agents, "signature": signatures}


def issues(submission, ids):
    """Return each flag as a DetectedIssue naming its rule and source."""
    return [{"resourceType": "DetectedIssue", "id": f"flag-{n}", "status": "final",
             "text": narrative(f"{flag['message']} Source: {flag['source']}"),
             "severity": {"stop": "high", "review": "moderate"}.get(flag["severity"], "low"),
             "code": {"text": f"{flag['severity']}: {flag['rule']} ({flag['category']})"},
             "patient": {"reference": ids["patient"]},
             "identifiedDateTime": submission["signed_at"],
             "detail": f"{flag['message']} Source: {flag['source']}"}
            for n, flag in enumerate(submission["evaluation"]["flags"], start=1)]
