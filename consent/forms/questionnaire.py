"""The patient questionnaire, field for field as in shared/questionnaire.md."""
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, RadioField
from wtforms.validators import DataRequired, InputRequired

from . import validators as check
from .fields import MultiCheckboxField, options, text, yes_no

AREAS = options(("face", "Face"), ("neck", "Neck"), ("decolletage", "Chest (décolletage)"),
         ("scalp", "Scalp"), ("hands", "Hands"), ("arms", "Arms"), ("abdomen", "Tummy"),
         ("back", "Back"), ("buttocks", "Buttocks"), ("thighs", "Thighs"))
PICK_ONE = "Please choose one."


class AnswersForm(FlaskForm):
    """Sections 1-7: the medical answers the rule set judges."""

    first_name = text("First name", 100, check.person_name, required=True)
    last_name = text("Last name", 100, check.person_name, required=True)
    date_of_birth = DateField("Date of birth", validators=[
        InputRequired("Please enter your date of birth."), check.not_in_future,
        check.born_within_120_years])
    phone = text("Phone number", 30, check.phone_number)
    email = text("E-mail address", 254, check.email_address)

    treatment = RadioField("Which treatment are you having today?", choices=options(
        ("microneedling", "Micro-needling"),
        ("mesotherapy_needling", "Mesotherapy: micro-needling with active ingredients"),
        ("mesotherapy_injection", "Mesotherapy: active ingredients injected")),
        validators=[InputRequired(PICK_ONE)])
    areas = MultiCheckboxField("Which areas are being treated today?", choices=AREAS,
                               validators=[InputRequired("Please choose at least one area.")])
    concerns = MultiCheckboxField("What would you like to improve? (optional)", choices=options(
        ("ageing", "Signs of ageing"), ("sun_damage", "Sun damage"),
        ("loose_skin", "Loose skin"), ("pores_fine_lines", "Large pores and fine lines"),
        ("pigmentation", "Pigmentation or uneven skin tone"),
        ("scars_stretch_marks", "Scars or stretch marks"), ("hair_loss", "Hair loss")))
    had_previous_session = yes_no(
        "Have you had micro-needling or mesotherapy before, here or anywhere else?")
    last_session_date = DateField("When was your most recent session?", validators=[
        check.RequiredWhen("had_previous_session", "yes",
                           "Please enter the date of your last session."),
        check.not_in_future])
    last_session_areas = MultiCheckboxField(
        "Which areas were treated in that session?", choices=AREAS, validators=[
            check.RequiredWhen("had_previous_session", "yes", "Please choose at least one area.")])

    active_infection = yes_no("Do you have a skin infection, open wound, rash or irritated "
                              "skin on or near an area being treated?")
    cold_sore_now = yes_no("Do you have a cold sore right now?")
    cold_sore_history = yes_no("Do you get cold sores that come back?")
    active_acne = yes_no("Do you have inflamed (red or pus-filled) acne on an area being treated?")
    skin_condition_flare = yes_no("Is eczema, psoriasis or rosacea flaring up on an area "
                                  "being treated?")
    diabetes = RadioField("Do you have diabetes?", choices=options(
        ("no", "No"), ("controlled", "Yes, and it is well controlled"),
        ("uncontrolled", "Yes, and it is not well controlled")),
        validators=[InputRequired(PICK_ONE)])
    immunosuppressed = yes_no("Is your immune system weakened?", "For example a transplant, "
                              "immune-suppressing medicines, long-term steroid tablets or HIV.")
    chemotherapy_now = yes_no("Are you having chemotherapy or radiotherapy, or have you had "
                              "it in the last 3 months?")
    feeling_unwell = yes_no("Do you have a fever or flu, or feel unwell today?")
    swim_within_24h = yes_no("Do you plan to swim (pool, sea or lake) in the day after "
                             "your treatment?")

    anticoagulants = yes_no("Do you take blood thinners?", "For example warfarin, apixaban, "
                            "rivaroxaban, dabigatran, edoxaban or heparin injections.")
    antiplatelets = yes_no("Do you take aspirin, clopidogrel, ticagrelor, prasugrel or "
                           "something similar?")
    nsaids_last_week = yes_no("Have you taken ibuprofen, naproxen, diclofenac or a similar "
                              "painkiller in the last 7 days?")
    bleeding_supplements = yes_no("Do you take fish oil, vitamin E, ginkgo, garlic or "
                                  "turmeric supplements?")
    bleeding_disorder = yes_no("Do you have haemophilia, von Willebrand disease, low "
                               "platelets or another clotting disorder?")
    bruises_easily = yes_no("Do you bruise easily, or bleed for a long time after small cuts?")

    keloid_history = yes_no("Have you had raised, thick (keloid) scars after an injury?")
    isotretinoin = RadioField("Have you taken isotretinoin (Roaccutane or Accutane)?", choices=options(
        ("never", "Never"), ("current", "Yes, I take it now"), ("stopped", "Yes, but I stopped")),
        validators=[InputRequired(PICK_ONE)])
    isotretinoin_stopped_date = DateField(
        "When did you stop taking it?", format=["%Y-%m-%d", "%Y-%m"],
        description="If you only know the month, choose the 1st of that month.",
        validators=[check.RequiredWhen("isotretinoin", "stopped",
                                       "Please enter when you stopped."), check.not_in_future])
    skin_cancer_in_area = yes_no("Do you have skin cancer or a changing mole on an area "
                                 "being treated?")
    sunburn_or_tan = yes_no("Have you had sunburn, or a fresh tan from sun or a sunbed, on "
                            "an area being treated in the last 2 weeks?")
    recent_procedure = yes_no("Have you had a chemical peel, laser or IPL on an area being "
                              "treated in the last 4 weeks?")
    recent_injectables = yes_no("Have you had anti-wrinkle injections or filler on an area "
                                "being treated in the last 2 weeks?")
    topical_retinoids_acids = yes_no("Have you used retinol, retinoids, glycolic, salicylic "
                                     "or other acid skin products in the last 5 days?")
    autoimmune_disease = yes_no("Do you have lupus, scleroderma or another autoimmune or "
                                "connective-tissue disease?")
    pregnant_or_breastfeeding = yes_no("Are you pregnant, possibly pregnant, or breastfeeding?")

    allergy_anaesthetic = yes_no("Are you allergic to numbing cream or local anaesthetic "
                                 "(such as lidocaine)?")
    allergy_metal = yes_no("Are you allergic to nickel, stainless steel or other metals?")
    allergy_ingredients = yes_no("Are you allergic to hyaluronic acid, vitamins or other "
                                 "cosmetic ingredients?")
    allergy_details = text("Tell us more about your allergies (optional)", 500, area=True)

    medications = text("Which medicines do you take now? (optional)", 1000, area=True)
    other_conditions = text("Any other medical conditions? (optional)", 1000, area=True)
    questions_for_doctor = text("Any questions for the doctor? (optional)", 1000, area=True)


class QuestionnaireForm(AnswersForm):
    """The whole questionnaire: the answers plus section 8, consent and signature."""

    read_information = BooleanField(
        "I have read what the treatment is, its risks and its aftercare.",
        validators=[DataRequired("Please tick this box to continue.")])
    answers_truthful = BooleanField(
        "My answers are complete and true to the best of my knowledge.",
        validators=[DataRequired("Please tick this box to continue.")])
    aftercare_agreed = BooleanField(
        "I will follow the aftercare instructions.",
        validators=[DataRequired("Please tick this box to continue.")])
    photo_consent = yes_no("May the clinic take before and after photos for your medical record?")
    signed_name = text("Type your full name", 201, required=True)
    signature = HiddenField("Your signature", validators=[check.drawn_signature])

    def validate_signed_name(self, field):
        """Require the typed name to match the patient's first and last name."""
        def squash(name):
            return "".join((name or "").split()).casefold()
        if squash(field.data) != squash(f"{self.first_name.data}{self.last_name.data}"):
            raise check.ValidationError("Please type your first and last name as given above.")
