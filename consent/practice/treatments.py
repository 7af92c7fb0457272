"""What was actually done: the practitioner's treatment record, or why nothing was."""
import json
from datetime import datetime

from ..intake import submissions
from ..intake.catalogue import TREATMENTS, RecordField, law_refusal, records_product
from ..kernel import audit, clock, ledger
from ..kernel.status import Refused, Status, require
from ..kernel.storage import immediate
from ..review import decisions
from ..staff import accounts
from . import consents

# What records made before the catalogue noted for every treatment, injections included.
BEFORE_THE_CATALOGUE = (RecordField("device", "Device", "text"),
                        RecordField("needle_depth_mm", "Needle depth", "number", "mm"))
NUMBING_MINUTES = (1, 120)
NUMBING_GRAMS = (0.1, 100.0)  # what a record may hold; the doctor judges the dose
OUTCOMES = (Status.TREATED, Status.NOT_TREATED)


class TreatmentError(Refused):
    """A treatment record that cannot be stored."""


def get(db, submission_id):
    """Return a submission's treatment record with its details decoded, or None."""
    row = next(db["treatments"].rows_where("submission_id = ?", [submission_id]), None)
    return {**row, "details": json.loads(row["details"])} if row else None


def areas(record):
    """Return the areas a treatment record names (none without a record)."""
    return [part["area"] for part in record["details"]["areas"]] if record else []


def fields(treatment):
    """Return what the record notes for each area treated, as the catalogue declares it."""
    return TREATMENTS[treatment].record if treatment in TREATMENTS else ()


def columns(treatment, parts):
    """Return the fields a record's areas hold, in the catalogue's order, then any it dropped."""
    known = {f.name: f for f in (*BEFORE_THE_CATALOGUE, *fields(treatment))}
    order = [f.name for f in fields(treatment)]
    held = dict.fromkeys(key for part in parts for key in part if key != "area")
    return [known.get(name) or RecordField(name, name.replace("_", " ").capitalize(), "text")
            for name in [n for n in order if n in held] + [n for n in held if n not in order]]


def check_areas(submission, details, decision=None):
    """Refuse areas not consented to or left out by the doctor, and any value out of range."""
    consented = submission["answers"]["areas"]
    left_out, deepest = decisions.limits(decision)
    if not details["areas"]:
        raise TreatmentError("areas", "Tick each area you treated.")
    for part in details["areas"]:
        if part["area"] not in consented:
            raise TreatmentError("areas", "Only areas the patient consented to can be treated.")
        if part["area"] in left_out:
            raise TreatmentError("areas", "The doctor approved this treatment with changes: "
                                 + decisions.changes_said(decision) + ".")
        depth = part.get(decisions.DEPTH)
        if deepest is not None and isinstance(depth, (int, float)) and depth > deepest:
            raise TreatmentError(f"{decisions.DEPTH}_{part['area']}", "The doctor set the "
                                 f"needle depth at most {deepest:g} mm for this patient.")
        for field in fields(submission["treatment"]):
            if problem := out_of_range(field, part.get(field.name)):
                raise TreatmentError(f"{field.name}_{part['area']}", problem)


def out_of_range(field, value):
    """Say what is wrong with one recorded value, or return ""."""
    if value is None or value == "":
        return f"Give the {field.label.lower()}."
    if field.kind == "choice" and value not in dict(field.choices):
        return f"Choose the {field.label.lower()}."
    if field.kind in ("number", "whole") and not field.min <= value <= field.max:
        return (f"Give the {field.label.lower()}, {field.min:g} to {field.max:g}"
                f"{' ' + field.unit if field.unit else ''}.")
    return ""


def check_numbing(details, review_above=None, is_doctor=lambda username: False):
    """Require product, areas treated, grams and minutes for numbing cream, when used;
    above the catalogue's threshold, the doctor who reviewed the amount."""
    numbing = details.get("numbing")
    if not numbing:
        return
    treated = {part["area"] for part in details["areas"]}
    if not numbing["product"]:
        raise TreatmentError("numbing_product", "Name the numbing cream.")
    if not numbing["areas"] or not set(numbing["areas"]) <= treated:
        raise TreatmentError("numbing_areas", "Tick where the cream went (areas treated only).")
    grams = numbing.get("grams")
    if grams is None or not NUMBING_GRAMS[0] <= grams <= NUMBING_GRAMS[1]:
        raise TreatmentError("numbing_grams", "Give the amount of cream in grams, 0.1 to 100.")
    if review_above and grams > review_above and not is_doctor(numbing.get("reviewed_by")):
        raise TreatmentError("numbing_reviewed_by", f"More than {review_above:g} g of numbing "
                             "cream: name the doctor who reviewed the amount (large areas risk "
                             "anaesthetic poisoning).")
    minutes = numbing["minutes"]
    if minutes is None or not NUMBING_MINUTES[0] <= minutes <= NUMBING_MINUTES[1]:
        raise TreatmentError("numbing_minutes", "Give the minutes the cream was on, 1 to 120.")


def check_time(details, consent, timezone):
    """Refuse a treatment time after the moment of recording, or before the consent."""
    treated = datetime.fromisoformat(details["treated_at"])
    if treated > clock.now():
        raise TreatmentError("treated_at", "The time of treatment cannot be later than now "
                             f"({clock.spoken(clock.iso(clock.now()), timezone)}).")
    signed = datetime.fromisoformat(consent["countersigned_at"]).replace(second=0,
                                                                          microsecond=0)
    if treated < signed:  # the form keeps minutes: compare the consent's minute
        when = clock.spoken(consent["countersigned_at"], timezone)
        raise TreatmentError("treated_at", "Treatment cannot start before the consent was "
                             f"countersigned ({when}).")


def check_products(submission, details):
    """Require each mesotherapy product with its batch and an expiry not yet passed."""
    products = details["products"]
    if records_product(submission["treatment"]) and not products:
        raise TreatmentError("products-0-name", "Record each product used, with batch and expiry.")
    for number, product in enumerate(products):
        for key in ("name", "batch", "expiry"):
            if not product[key]:
                raise TreatmentError(f"products-{number}-{key}",
                                     "Give the product's name, batch and expiry date.")
        if product["expiry"] < submission["treatment_date"]:
            raise TreatmentError(f"products-{number}-expiry",
                                 "This batch has expired: it must not be used.")


def check(submission, outcome, details, reason, consent, timezone, decision=None,
          is_doctor=lambda username: False):
    """Refuse a treatment record the clinic's policy does not allow."""
    if outcome not in OUTCOMES:
        raise TreatmentError("outcome", "Say whether the treatment was given.")
    if outcome == Status.TREATED and (refusal := law_refusal(submission)):
        raise TreatmentError("outcome", refusal)
    if outcome == Status.NOT_TREATED:
        if not reason:
            raise TreatmentError("reason", "Write why the patient was not treated.")
        return
    check_time(details, consent, timezone)
    check_areas(submission, details, decision)
    offered = TREATMENTS.get(submission["treatment"])
    check_numbing(details, offered and offered.numbing_review_grams, is_doctor)
    check_products(submission, details)


def record(db, submission_id, practitioner, today, outcome, details, reason, timezone):
    """Store the treatment record and its ledger entry; the consent must be countersigned."""
    with immediate(db):
        submission = submissions.get(db, submission_id)
        require(submission, Status.CONSENTED, today, "recording the treatment")
        check(submission, outcome, details, reason, consents.get(db, submission_id), timezone,
              decisions.get(db, submission_id), lambda name: accounts.is_doctor(db, name))
        if outcome == Status.NOT_TREATED:
            details = {"treated_at": None, "areas": [], "numbing": None, "products": [],
                       "reaction": ""}
        row = {"submission_id": submission_id, "outcome": outcome, "practitioner": practitioner,
               "recorded_at": clock.iso(clock.now()),
               "details": json.dumps(details, sort_keys=True), "reason": reason}
        db["treatments"].insert(row)
        ledger.append(db, "treatment", row)
        db["submissions"].update(submission_id, {"status": outcome})
        audit.append(db, "treatment_recorded", practitioner, submission_id, outcome)
    return row
