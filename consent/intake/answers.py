"""Answers in the data dictionary's JSON encoding, derived from the questionnaire."""

from .questionnaire import SECTIONS, answer_questions


class AnswerError(ValueError):
    """Answers that do not fit the dictionary; names every field at fault."""

    def __init__(self, field, message, more=None):
        self.errors = {field: message, **(more or {})}
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))
        self.field = field

    @classmethod
    def of(cls, errors):
        """Gather field: message pairs (at least one) into one error."""
        (field, message), *rest = errors.items()
        return cls(field, message, dict(rest))


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
    data, problems = formdata(answers, sections)
    if problems:
        raise AnswerError.of(problems)
    return data


def formdata(answers, sections):
    """Return ({field: [form values]} of the well-typed answers, {field: what is wrong})."""
    if not isinstance(answers, dict):
        raise AnswerError("answers", "must be a JSON object")
    questions = {q.name: q for q in answer_questions(sections)}
    data, problems = {}, {}
    for name, value in answers.items():
        if problem := value_problem(questions.get(name), value):
            problems[name] = problem
        elif isinstance(value, list):
            data[name] = list(value)
        elif isinstance(value, (bool, str)):
            if value is not False:
                data[name] = ["y" if value is True else value]
    return data, problems


def value_problem(question, value):
    """Say what is wrong with one value's type, or None."""
    if question is None:
        return "is not a field of the questionnaire"
    multi = question.kind == "multi"
    if multi != isinstance(value, list):
        return "must be a list" if multi else "must not be a list"
    if multi and not all(isinstance(v, str) for v in value):
        return "must be a list of choices"
    if not multi and value is not None and not isinstance(value, (bool, str)):
        return f"has the wrong type ({type(value).__name__})"
    return None
