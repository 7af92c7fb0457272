"""Answers in the data dictionary's JSON encoding, derived from the questionnaire."""
from werkzeug.datastructures import MultiDict

from .questionnaire import SECTIONS, answer_questions


class AnswerError(ValueError):
    """An answer that does not fit the dictionary; names the field."""

    def __init__(self, field, message):
        super().__init__(f"{field}: {message}")
        self.field = field


def asked(question, values):
    """Tell whether skip logic asks this question, given the other answers."""
    return not question.when or values.get(question.when[0]) == question.when[1]


def encode_value(question, value, is_asked):
    """Encode one validated value as the dictionary says (unasked: null or [])."""
    if question.kind == "tick":
        return bool(value)
    if question.kind == "multi":
        chosen = set(value or ()) if is_asked else set()
        return [v for v, _ in question.choices if v in chosen]
    if question.kind == "date":
        return value.isoformat() if value and is_asked else None
    if question.kind in ("yes_no", "choice"):
        return value if is_asked else None
    return value or ""


def encode(values, sections=SECTIONS):
    """Encode validated values (field name to Python value) in questionnaire order."""
    return {q.name: encode_value(q, values.get(q.name), asked(q, values))
            for q in answer_questions(sections) if q.name in values}


def to_formdata(answers, sections):
    """Turn answers in the JSON encoding into form data the same form can validate."""
    if not isinstance(answers, dict):
        raise AnswerError("answers", "must be a JSON object")
    questions = {q.name: q for q in answer_questions(sections)}
    data = MultiDict()
    for name, value in answers.items():
        if name not in questions:
            raise AnswerError(name, "is not a field of the questionnaire")
        multi = questions[name].kind == "multi"
        if multi != isinstance(value, list):
            raise AnswerError(name, "must be a list" if multi else "must not be a list")
        if multi and all(isinstance(v, str) for v in value):
            data.setlist(name, value)
        elif isinstance(value, bool):
            if value:
                data[name] = "y"
        elif isinstance(value, str):
            data[name] = value
        elif value is not None:
            raise AnswerError(name, f"has the wrong type ({type(value).__name__})")
    return data
