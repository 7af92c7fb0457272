"""Form declarations: the questionnaire (built from its one definition) and staff forms."""
from .questionnaire import AnswersForm, QuestionnaireForm, encode_form, validated_answers

__all__ = ["AnswersForm", "QuestionnaireForm", "encode_form", "validated_answers"]
