"""What each sealed document prints: the context its PDF template is filled with."""
import functools

from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from ..intake import information
from ..intake.catalogue import law_refusal
from ..intake.display import answer_sections, label, show
from ..intake.questionnaire import DECLARATIONS, PERMISSIONS, QUESTIONS
from ..kernel.languages import Language, shipped, spoken_in, translator
from ..kernel.status import Status
from ..practice import cooling_off, treatments
from ..practice.consents import MEANING
from ..review import decisions
from ..staff import accounts
from ..visits import visits
from . import pdf


def clinic(config):
    """Return the clinic as every record heads it."""
    return {"name": config["CLINIC_NAME"], "address": config["CLINIC_ADDRESS"],
            "phone": config["CLINIC_PHONE"]}


def countersignature(db, consent):
    """Return the practitioner's signature manifestation, or None before countersigning."""
    if consent is None:
        return None
    return {**consent, "signer": accounts.signer(db, consent["practitioner"]), "meaning": MEANING}


def guardian(answers, submission):
    """Return the parent's or guardian's part of a minor's consent, or None."""
    if not answers.get("guardian_name"):
        return None
    png = submission.get("guardian_signature")
    return {"name": answers["guardian_name"],
            "relationship": show("guardian_relationship", answers.get("guardian_relationship")),
            "typed": submission.get("guardian_signature_kind") == "typed",
            "signature": pdf.data_uri(png) if png else None}


SANDBOX = SandboxedEnvironment(autoescape=True)


@functools.lru_cache(maxsize=8)
def compiled(source):
    """Compile a version of the information once per process."""
    return SANDBOX.from_string(source)


def read_information(db, submission, config):
    """Return the treatment information the patient read, and whether it is that very text.

    Records from before versions were kept print today's text, with a note that says so.
    """
    kept = information.version(db, submission["information_sha256"])
    if kept is None:
        return {"html": Markup(information.render([submission["treatment"]],
                                                  config["CLINIC_PHONE"])), "exact": False}
    source, form = kept
    if form == information.HTML:
        return {"html": Markup(source), "exact": True}
    # A template kept before the catalogue, sandboxed: read back, it renders, never runs code.
    return {"html": compiled(source).render(clinic_phone=config["CLINIC_PHONE"]), "exact": True}


def their_language(submission, config):
    """Return the patient's language as a record prints it beside the clinic's, or None.

    The words are today's catalogue's for labels and answers (stored as codes).
    """
    code = submission.get("language")
    if not code:
        return None
    language = shipped().get(code) or Language(code)
    words, tz = translator(code).gettext, config["CLINIC_TIMEZONE"]
    return {"code": code, "name": language.name, "dir": language.direction,
            "draft": submission.get("language_status") != "approved", "words": words,
            "day": lambda text: spoken_in(code, text, tz),
            "areas": show("areas", submission["answers"]["areas"], words)}


def theirs(db, submission, decision, declined, config):
    """Add what a consent prints in the patient's language: answers, advice, information.

    The treatment information is the very text the patient read, kept by its SHA-256.
    """
    side = their_language(submission, config)
    if side is None:
        return None
    kept = information.version(db, submission.get("translation_sha256"))
    return {**side, "sha256": submission.get("translation_sha256") or "",
            "sections": answer_sections(submission["answers"], submission["evaluation"],
                                        submission.get("edition", "1"), side["words"],
                                        side["day"]),
            "advice": [] if declined else decisions.for_patient(submission, decision,
                                                                side["words"]),
            "information": Markup(kept[0]) if kept else None}


def in_their_language(side):
    """Return the context keys a bilingual template reads: theirs, and _ for its words."""
    return {"theirs": side, "_": side["words"] if side else str}


def consent_context(db, submission, decision, consent, config):
    """Gather everything the consent (or eligibility decision) template prints."""
    answers, evaluation = submission["answers"], submission["evaluation"]
    # A declined patient consents to nothing: the record states the decision only.
    declined = bool(decision) and decision["outcome"] in (Status.DECLINED, Status.DEFERRED)
    kept = [n for n in DECLARATIONS if not (declined and QUESTIONS[n].treatment_only)]
    return {
        "title": "Eligibility decision" if declined else "Treatment consent",
        "declined": declined, "clinic": clinic(config),
        "timezone": config["CLINIC_TIMEZONE"],  # what people read; the record keeps UTC
        "document": {"id": submission["id"]},
        "patient": answers,
        "treatment": {"label": show("treatment", answers["treatment"]),
                      "areas": show("areas", answers["areas"]),
                      "date": submission["treatment_date"]},
        "evaluation": evaluation, "decision": decision, "law": law_refusal(submission),
        "changes": decisions.changes_said(decision),
        "sections": answer_sections(answers, evaluation, submission.get("edition", "1")),
        "decided_by": accounts.signer(db, decision["doctor"]) if decision else None,
        "countersigned": countersignature(db, consent),
        "flag_answers": {f["rule"]: "; ".join(label(n) for n in f["fields"])
                         for f in evaluation["flags"]},
        "advice": [] if declined else decisions.for_patient(submission, decision),
        "declarations": [label(n) for n in kept if answers.get(n)],
        "photos": [(label(n), answers[n]) for n in PERMISSIONS if answers.get(n)],
        "guardian": guardian(answers, submission),
        "edition": submission.get("edition", "1"), "signed_name": answers["signed_name"],
        "typed_signature": submission.get("signature_kind") == "typed",
        "signature": pdf.data_uri(submission["signature"]) if submission["signature"] else None,
        "signed_at": submission["signed_at"], "attachment_name": pdf.ATTACHMENT_NAME,
        "information_sha256": submission["information_sha256"] or "not recorded",
        "information": read_information(db, submission, config),
        **in_their_language(theirs(db, submission, decision, declined, config)),
        "reflection": None if declined else cooling_off.summary(
            config, submission, visits.for_submission(db, submission["id"])),
    }


def treatment_context(db, submission, treatment, consent_entry, config):
    """Gather everything the treatment record template prints."""
    answers = submission["answers"]
    return {
        "title": "Treatment record", "clinic": clinic(config),
        "timezone": config["CLINIC_TIMEZONE"],
        "document": {"id": submission["id"] + " (treatment)"},
        "patient": answers, "treatment": {"label": show("treatment", answers["treatment"]),
                                          "consented": show("areas", answers["areas"]),
                                          "date": submission["treatment_date"]},
        "record": treatment, "details": treatment["details"],
        "areas": [{**part, "label": show("areas", [part["area"]])}
                  for part in treatment["details"]["areas"]],
        "columns": treatments.columns(submission["treatment"], treatment["details"]["areas"]),
        "numbing_areas": show("areas", (treatment["details"]["numbing"] or {}).get("areas", [])),
        "recorded_by": accounts.signer(db, treatment["practitioner"]),
        "numbing_reviewed_by": (treatment["details"]["numbing"] or {}).get("reviewed_by") and
        accounts.signer(db, treatment["details"]["numbing"]["reviewed_by"]),
        "consent": {"id": submission["id"], "sha256": consent_entry["sha256"]},
        "attachment_name": pdf.TREATMENT_ATTACHMENT,
        **in_their_language(their_language(submission, config)),
    }
