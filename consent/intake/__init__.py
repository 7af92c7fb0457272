"""What the patient answers: the questionnaire, its answers and words, the rule set, storage."""
