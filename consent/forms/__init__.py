"""Form declarations: the questionnaire and its sections."""
from .questionnaire import AnswersForm, QuestionnaireForm

SECTIONS = [
    ("about_you", "About you",
     ["first_name", "last_name", "date_of_birth", "phone", "email"]),
    ("treatment", "Today's treatment",
     ["treatment", "areas", "concerns", "had_previous_session", "last_session_date",
      "last_session_areas"]),
    ("infection", "Infection risk",
     ["active_infection", "cold_sore_now", "cold_sore_history", "active_acne",
      "skin_condition_flare", "diabetes", "immunosuppressed", "chemotherapy_now",
      "feeling_unwell", "swim_within_24h"]),
    ("bleeding", "Bleeding and bruising",
     ["anticoagulants", "antiplatelets", "nsaids_last_week", "bleeding_supplements",
      "bleeding_disorder", "bruises_easily"]),
    ("healing", "Skin and healing",
     ["keloid_history", "isotretinoin", "isotretinoin_stopped_date", "skin_cancer_in_area",
      "sunburn_or_tan", "recent_procedure", "recent_injectables", "topical_retinoids_acids",
      "autoimmune_disease", "pregnant_or_breastfeeding"]),
    ("allergies", "Allergies",
     ["allergy_anaesthetic", "allergy_metal", "allergy_ingredients", "allergy_details"]),
    ("anything_else", "Anything else",
     ["medications", "other_conditions", "questions_for_doctor"]),
    ("consent", "Consent and signature",
     ["read_information", "answers_truthful", "aftercare_agreed", "photo_consent",
      "signed_name", "signature"]),
]
MEDICAL_SECTIONS = SECTIONS[:-1]

__all__ = ["AnswersForm", "QuestionnaireForm", "SECTIONS", "MEDICAL_SECTIONS"]
