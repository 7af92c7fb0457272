"""A treatment record as a FHIR R4 Procedure, and each reaction report as an AdverseEvent."""
from ..intake.catalogue import AREAS, TREATMENTS
from .narrative import narrative

EXTENSION = "urn:consent:extension"  # what R4 has no element for, in our own words
SERIOUSNESS = "http://terminology.hl7.org/CodeSystem/adverse-event-seriousness"


def resources(submission, ids, urn):
    """Return the Procedure, the products it used and the reactions reported after it.

    urn(kind) names a resource of this record in the bundle.
    """
    record = submission.get("treatment_record")
    if not record:
        return []
    details = record["details"]
    products = [product(n, p) for n, p in enumerate(details.get("products") or [], start=1)]
    if details.get("numbing"):
        products.append(numbing(details["numbing"]))
    return [procedure(submission, record, ids, [urn(p["id"]) for p in products]), *products,
            *[adverse_event(n, r, submission, ids)
              for n, r in enumerate(submission.get("reactions") or [], start=1)]]


def procedure(submission, record, ids, products):
    """Return what was done: performer, areas, products and devices, the consent it rests on.

    products: the names in the bundle of the Medications used.
    """
    details, treated = record["details"], record["outcome"] == "treated"
    name = TREATMENTS[submission["treatment"]].name if submission["treatment"] in TREATMENTS \
        else submission["treatment"]
    areas = dict(AREAS)
    devices = sorted({part["device"] for part in details["areas"] if part.get("device")})
    found = {"resourceType": "Procedure", "id": "procedure",
             "text": narrative(f"{name}: {record['outcome'].replace('_', ' ')}"
                               f"{', ' + details['treated_at'] if treated else ''}."),
             "extension": [{"url": f"{EXTENSION}/consent",
                            "valueReference": {"reference": ids["consent"]}}],
             "status": "completed" if treated else "not-done",
             "code": {"text": name}, "subject": {"reference": ids["patient"]},
             "recorder": {"reference": ids["treating"]},
             "performer": [{"actor": {"reference": ids["treating"]}}]}
    if not treated:
        return {**found, "statusReason": {"text": record["reason"] or "not treated"}}
    return {**found, "performedDateTime": details["treated_at"],
            "bodySite": [{"text": areas.get(part["area"], part["area"])}
                         for part in details["areas"]],
            **({"note": [{"text": f"Immediate reaction: {details['reaction']}"}]}
               if details.get("reaction") else {}),
            **({"usedReference": [{"reference": name} for name in products]}
               if products else {}),
            **({"usedCode": [{"text": device} for device in devices]} if devices else {})}


def product(number, used):
    """Return one product as a Medication with its batch and expiry."""
    return {"resourceType": "Medication", "id": f"product-{number}",
            "text": narrative(f"{used['name']}, batch {used['batch']}, expires "
                              f"{used['expiry']}."),
            "code": {"text": used["name"]},
            "batch": {"lotNumber": used["batch"], "expirationDate": used["expiry"]}}


def numbing(cream):
    """Return the numbing cream as a Medication (no batch is recorded for it)."""
    return {"resourceType": "Medication", "id": "numbing",
            "text": narrative(f"Numbing cream: {cream['product']}."),
            "code": {"text": cream["product"]}}


def adverse_event(number, reaction, submission, ids):
    """Return a patient's reaction report, linked to the procedure it followed."""
    serious = bool(reaction["urgent"] or reaction["emergency"])
    return {"resourceType": "AdverseEvent", "id": f"reaction-{number}",
            "text": narrative(f"Reported {reaction['reported_at']}: {reaction['what']}"),
            "actuality": "actual", "subject": {"reference": ids["patient"]},
            "event": {"text": reaction["what"]}, "date": reaction["since"],
            "recordedDate": reaction["reported_at"],
            "seriousness": {"coding": [{"system": SERIOUSNESS,
                                        "code": "serious" if serious else "non-serious"}]},
            "suspectEntity": [{"instance": {"reference": ids["procedure"]}}]}
