"""The questionnaire, defined once: sections, questions, choices, skip logic and checks.

The WTForms form, the answers' JSON encoding, the labels on staff screens and in the PDF,
the rule set's vocabulary and the tablet's show/hide data are all derived from this file.
Field names are the data dictionary's (docs/questionnaire.md): a contract.
"""
from dataclasses import dataclass

from .catalogue import AREAS, TREATMENTS  # what the clinic offers where: rules/treatments.toml

EDITION = "3"  # the data dictionary's edition this definition asks (docs/questionnaire.md)
PICK_ONE = "Please choose one."
# The rule set sees each kind of question as one of these answer types.
ANSWER_TYPES = {"text": "text", "textarea": "text", "date": "date", "yes_no": "choice",
                "choice": "choice", "multi": "multi", "tick": "checkbox",
                "signature": "signature"}


@dataclass(frozen=True)
class Question:
    """One question: how it is asked, what it accepts and when it is asked."""

    name: str
    kind: str
    label: str
    hint: str = ""
    choices: tuple = ()  # (value, label) pairs
    required: str = ""  # the message when it is left empty; "" when optional
    when: tuple = ()  # (other field, value): asked only then
    max_chars: int = 0
    checks: tuple = ()  # named checks, see consent/forms/validators.py
    month_allowed: bool = False  # a date may be given as YYYY-MM
    for_minors: bool = False  # asked, and required, only for patients under 18 that day
    default: str = ""  # the answer already chosen when the screen opens
    treatment_only: bool = False  # a declaration that means nothing to a declined patient

    def choice_label(self, value):
        """Return the label the patient saw for a stored value."""
        return dict(self.choices).get(value, value)


@dataclass(frozen=True)
class Section:
    """One screen of the questionnaire."""

    key: str
    title: str
    questions: tuple
    medical: bool = True  # sections 1-7: the answers the rule set judges


def yes_no(name, label, hint="", default=""):
    """Declare a required yes/no question."""
    return Question(name, "yes_no", label, hint, (("yes", "Yes"), ("no", "No")),
                    "Please answer yes or no.", default=default)


def choice(name, label, *choices, required=PICK_ONE):
    """Declare a required single choice."""
    return Question(name, "choice", label, choices=choices, required=required)


def text(name, label, max_chars, *checks, required=False, area=False, hint=""):
    """Declare a trimmed text answer with a length limit."""
    return Question(name, "textarea" if area else "text", label, hint,
                    required="Please fill this in." if required else "", max_chars=max_chars,
                    checks=checks)


TICK = "Please tick this box to continue."

SECTIONS = (
    Section("about_you", "About you", (
        text("first_name", "First name", 100, "person_name", required=True),
        text("last_name", "Last name", 100, "person_name", required=True),
        Question("date_of_birth", "date", "Date of birth",
                 required="Please enter your date of birth.",
                 checks=("not_in_future", "born_within_120_years")),
        text("phone", "Phone number", 30, "phone_number"),
        text("email", "E-mail address", 254, "email_address"),
    )),
    Section("treatment", "Today's treatment", (
        choice("treatment", "Which treatment are you having today?",
               *((t.id, t.name) for t in TREATMENTS.values())),
        Question("areas", "multi", "Which areas are being treated today?", choices=AREAS,
                 required="Please choose at least one area.", checks=("offered_for_treatment",)),
        Question("concerns", "multi", "What would you like to improve? (optional)", choices=(
            ("ageing", "Signs of ageing"), ("sun_damage", "Sun damage"),
            ("loose_skin", "Loose skin"), ("pores_fine_lines", "Large pores and fine lines"),
            ("pigmentation", "Pigmentation or uneven skin tone"),
            ("scars_stretch_marks", "Scars or stretch marks"), ("hair_loss", "Hair loss"))),
        yes_no("had_previous_session",
               "Have you had micro-needling or mesotherapy before, here or anywhere else?"),
        Question("last_session_date", "date", "When was your most recent session on any of "
                 "today's areas?",
                 required="Please enter the date of your last session.",
                 when=("had_previous_session", "yes"), checks=("not_in_future",)),
        Question("last_session_areas", "multi", "Which areas were treated in that session?",
                 choices=AREAS, required="Please choose at least one area.",
                 when=("had_previous_session", "yes")),
        Question("implanted_device", "yes_no", "Do you have a pacemaker, an implanted "
                 "defibrillator or another electronic device inside your body?",
                 "Radiofrequency energy can interfere with it.", (("yes", "Yes"), ("no", "No")),
                 "Please answer yes or no.", when=("treatment", "rf_microneedling")),
    )),
    Section("infection", "Infection risk", (
        yes_no("active_infection", "Do you have a skin infection, open wound, rash or "
               "irritated skin on or near an area being treated?"),
        yes_no("cold_sore_now", "Do you have a cold sore right now?"),
        yes_no("cold_sore_history", "Do you get cold sores that come back?"),
        yes_no("herpes_in_area", "Do you get herpes (cold sores, genital herpes) or shingles "
               "that comes back on or near an area being treated?"),
        yes_no("warts_in_area", "Do you have warts or molluscum (small pearly bumps) on an "
               "area being treated?"),
        yes_no("active_acne", "Do you have inflamed (red or pus-filled) acne on an area "
               "being treated?"),
        yes_no("skin_condition_flare", "Is eczema, psoriasis or rosacea flaring up on an "
               "area being treated?"),
        yes_no("skin_condition_koebner", "Do you have vitiligo, lichen planus or psoriasis, "
               "even if it is not flaring now?", "Needling can start new patches."),
        choice("diabetes", "Do you have diabetes?", ("no", "No"),
               ("controlled", "Yes, and it is well controlled"),
               ("uncontrolled", "Yes, and it is not well controlled")),
        yes_no("immunosuppressed", "Is your immune system weakened?", "For example a "
               "transplant, immune-suppressing medicines, long-term steroid tablets, or HIV "
               "that is not controlled by treatment."),
        yes_no("chemotherapy_now", "Are you having chemotherapy or radiotherapy, or have you "
               "had it in the last 3 months?"),
        yes_no("radiotherapy_to_area", "Have you ever had radiotherapy to an area being "
               "treated?"),
        yes_no("feeling_unwell", "Do you have a fever or flu, or feel unwell today?"),
        yes_no("swim_within_24h", "Do you plan to swim (pool, sea or lake) in the day after "
               "your treatment?"),
    )),
    Section("bleeding", "Bleeding and bruising", (
        yes_no("anticoagulants", "Do you take blood thinners?", "For example warfarin, "
               "apixaban, rivaroxaban, dabigatran, edoxaban or heparin injections."),
        yes_no("antiplatelets", "Do you take aspirin, clopidogrel, ticagrelor, prasugrel or "
               "something similar?"),
        yes_no("nsaids_last_week", "Have you taken ibuprofen, naproxen, diclofenac or a "
               "similar painkiller in the last 7 days?"),
        yes_no("bleeding_supplements", "Do you take fish oil, vitamin E, ginkgo, garlic or "
               "turmeric supplements?"),
        yes_no("bleeding_disorder", "Do you have haemophilia, von Willebrand disease, low "
               "platelets or another clotting disorder?"),
        yes_no("bruises_easily", "Do you bruise easily, or bleed for a long time after small "
               "cuts?"),
    )),
    Section("healing", "Skin and healing", (
        yes_no("keloid_history", "Have you had raised, thick (keloid) scars after an injury?"),
        choice("isotretinoin", "Have you taken isotretinoin (Roaccutane or Accutane) tablets "
               "or capsules?",
               ("never", "Never"), ("current", "Yes, I take it now"),
               ("stopped", "Yes, but I stopped")),
        Question("isotretinoin_stopped_date", "date", "When did you stop taking it?",
                 "If you only know the month, give the month: we count from its last day.",
                 required="Please enter when you stopped.", when=("isotretinoin", "stopped"),
                 checks=("not_in_future",), month_allowed=True),
        choice("skin_type", "Which is most like your skin in strong sun?",
               ("type_1", "Very fair: always burns, never tans"),
               ("type_2", "Fair: burns easily, tans a little"),
               ("type_3", "Medium: sometimes burns, tans slowly"),
               ("type_4", "Olive or light brown: rarely burns, tans easily"),
               ("type_5", "Brown: very rarely burns, tans darkly"),
               ("type_6", "Dark brown or black: never burns")),
        yes_no("pigmentation_after_injury", "Have you had dark patches that lasted weeks "
               "after spots, cuts, burns or an earlier skin treatment?"),
        yes_no("recent_surgery_in_area", "Have you had surgery on an area being treated in "
               "the last 6 months?"),
        yes_no("recent_hair_removal", "Have you waxed, threaded, or used hair-removal cream "
               "on an area being treated in the last 3 days?"),
        yes_no("skin_cancer_in_area", "Do you have skin cancer or a changing mole on an area "
               "being treated?"),
        yes_no("sunburn_or_tan", "Have you had sunburn, or a fresh tan from sun or a sunbed, "
               "on an area being treated in the last 2 weeks?"),
        yes_no("recent_procedure", "Have you had a chemical peel, laser or IPL on an area "
               "being treated in the last 4 weeks?"),
        yes_no("recent_injectables", "Have you had anti-wrinkle injections or filler on an "
               "area being treated in the last 2 weeks?"),
        yes_no("tattoo_in_area", "Do you have a tattoo, permanent make-up or microblading on "
               "an area being treated?"),
        yes_no("permanent_filler_or_threads", "Have you ever had permanent filler (silicone, "
               "PMMA, polyacrylamide), or threads (PDO, gold) in an area being treated?"),
        yes_no("previous_reaction", "Have you had a reaction after micro-needling, "
               "mesotherapy, filler or other skin injections?",
               "For example lumps, an infection, an allergy or marks that lasted weeks."),
        yes_no("topical_retinoids_acids", "Have you used retinol, retinoids, glycolic, "
               "salicylic or other acid skin products in the last 5 days?"),
        yes_no("autoimmune_disease", "Do you have lupus, scleroderma or another autoimmune "
               "or connective-tissue disease?"),
        yes_no("pregnant_or_breastfeeding", "Are you pregnant, possibly pregnant, or "
               "breastfeeding?"),
    )),
    Section("allergies", "Allergies", (
        yes_no("allergy_anaesthetic", "Are you allergic to numbing cream or local "
               "anaesthetic (such as lidocaine)?"),
        yes_no("allergy_metal", "Are you allergic to nickel or stainless steel?"),
        yes_no("allergy_ingredients", "Are you allergic to hyaluronic acid, vitamins or "
               "other cosmetic ingredients?"),
        yes_no("allergy_antiseptic", "Are you allergic to chlorhexidine, alcohol wipes or "
               "other skin antiseptics?"),
        yes_no("allergy_latex", "Are you allergic to latex (rubber gloves)?"),
        yes_no("anaphylaxis_history", "Have you ever had a severe allergic reaction "
               "(anaphylaxis) to anything?"),
        text("allergy_details", "Tell us more about your allergies (optional)", 500, area=True),
    )),
    Section("anything_else", "Anything else", (
        text("medications", "Which medicines do you take now? (optional)", 1000, area=True),
        text("other_conditions", "Any other medical conditions? (optional)", 1000, area=True),
        text("questions_for_doctor", "Any questions for the doctor? (optional)", 1000,
             area=True),
        yes_no("fainting", "Have you ever fainted, or nearly fainted, with needles, injections "
               "or blood tests?"),
        yes_no("smoker", "Do you smoke, or vape nicotine?"),
        yes_no("appearance_worry", "Do you worry a lot about the way you look, so that it "
               "affects your daily life?", "We ask everyone: it helps us talk about what "
               "the treatment can and cannot do."),
    )),
    Section("consent", "Consent and signature", (
        Question("read_information", "tick",
                 "I have read what the treatment is, its risks and its aftercare.",
                 required=TICK),
        Question("answers_truthful", "tick",
                 "My answers are complete and true to the best of my knowledge.",
                 required=TICK),
        Question("aftercare_agreed", "tick", "I will follow the aftercare instructions.",
                 required=TICK, treatment_only=True),
        Question("alternatives_understood", "tick", "I understand the other options, "
                 "including having no treatment at all.", required=TICK),
        Question("results_not_guaranteed", "tick", "I understand that results vary and are "
                 "not guaranteed, and that a course (often 5 to 7 sessions, up to 12 for deep "
                 "scars) may be needed.", required=TICK),
        Question("free_to_withdraw", "tick", "I know I can change my mind and stop at any "
                 "time, even during treatment.", required=TICK),
        Question("cost_explained", "tick", "I have been told what the treatment costs.",
                 required=TICK, treatment_only=True),
        Question("questions_invited", "tick", "I was invited to ask questions about the "
                 "treatment, whether or not I had any.", required=TICK),
        yes_no("photo_consent",
               "May the clinic take before and after photos for your medical record?"),
        yes_no("photo_teaching", "May those photos be used, without your name, to teach "
               "clinicians?", "The answer is no unless you choose yes. It does not change "
               "your treatment.", default="no"),
        yes_no("photo_marketing", "May those photos be used in the clinic's advertising or "
               "social media?", "The answer is no unless you choose yes. It does not change "
               "your treatment.", default="no"),
        Question("guardian_name", "text", "Full name of the parent or guardian with you",
                 required="Please give the full name of the parent or guardian.",
                 max_chars=100, checks=("person_name",), for_minors=True),
        Question("guardian_relationship", "choice", "Their relationship to the patient",
                 choices=(("parent", "Parent"), ("legal_guardian", "Legal guardian")),
                 required=PICK_ONE, for_minors=True),
        Question("guardian_signature", "signature", "The parent or guardian's signature",
                 required="The parent or guardian must sign in the box.",
                 checks=("guardian_signature",), for_minors=True),
        text("signed_name", "Type your full name", 201, required=True),
        Question("signature", "signature", "Your signature", checks=("drawn_signature",)),
    ), medical=False),
)
QUESTIONS = {q.name: q for section in SECTIONS for q in section.questions}
# Answers stored under edition 1 were given to these words; edition 2 changed their meaning.
EDITION_1_LABELS = {
    "last_session_date": "When was your most recent session?",
    "isotretinoin": "Have you taken isotretinoin (Roaccutane or Accutane)?",
    "isotretinoin_stopped_date": "When did you stop taking it? (a month alone meant its 1st)",
    "allergy_metal": "Are you allergic to nickel, stainless steel or other metals?",
}
# The questions each edition of the dictionary added: older answers never gave them.
ADDED_IN = {
    "2": ("herpes_in_area", "warts_in_area", "skin_condition_koebner", "radiotherapy_to_area",
          "tattoo_in_area", "permanent_filler_or_threads", "previous_reaction",
          "allergy_antiseptic", "allergy_latex", "anaphylaxis_history", "appearance_worry",
          "alternatives_understood", "results_not_guaranteed", "free_to_withdraw",
          "photo_teaching", "photo_marketing", "guardian_name", "guardian_relationship",
          "guardian_signature"),
    "3": ("implanted_device", "cost_explained", "questions_invited", "skin_type",
          "pigmentation_after_injury", "recent_surgery_in_area", "recent_hair_removal",
          "fainting", "smoker"),
}


def unasked(edition):
    """Return the questions answers of this edition were never asked (added later)."""
    return {name for added, names in ADDED_IN.items() if added > edition for name in names}


DECLARATIONS = tuple(q.name for q in QUESTIONS.values() if q.kind == "tick")
# The patient's yes-or-no permissions (photos), asked beside the declarations.
PERMISSIONS = tuple(q.name for q in SECTIONS[-1].questions if q.kind == "yes_no")


def medical_sections(sections=SECTIONS):
    """Return the sections whose answers the rule set judges."""
    return tuple(s for s in sections if s.medical)


def answer_questions(sections=SECTIONS):
    """List every question whose answer is stored in the answers JSON (all but the drawing)."""
    return [q for s in sections for q in s.questions if q.kind != "signature"]


def vocabulary(sections=SECTIONS):
    """Describe each answer the rules may use: its type and its choices."""
    return {q.name: {"type": ANSWER_TYPES[q.kind], "choices": [v for v, _ in q.choices]}
            for section in medical_sections(sections) for q in section.questions}
