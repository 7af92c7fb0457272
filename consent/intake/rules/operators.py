"""The operator table: each condition operator as a check at load time and a test at run time."""
import operator
from dataclasses import dataclass
from typing import Callable

from ...kernel.clock import months_between, parse_date, years_between
from ..medicines import load

MEDICINES = load()  # the classes the questionnaire asks about, and their names

NEGATIVE = ("no", "never")  # the answers a named medicine contradicts
COMPARE = {"lt": operator.lt, "le": operator.le, "gt": operator.gt, "ge": operator.ge}


@dataclass(frozen=True)
class Operator:
    """How to validate an operator's argument and how to test it against answers."""

    check: Callable  # (field, arg, vocabulary, parameters) -> None, raises ValueError
    test: Callable  # (context, field, arg) -> bool
    needs_field: bool = True


def within(value, window, parameters):
    """Tell whether value satisfies every bound of a window like {lt = "min_interval_days"}."""
    return all(COMPARE[bound](value, parameters[name]) for bound, name in window.items())


def elapsed(unit, measure):
    """Build a test that measures time from a date answer to the treatment date."""
    def test(ctx, field, window):
        start = parse_date(ctx.answers.get(field))
        if start is None:
            return False
        amount = measure(start, ctx.on)
        ctx.facts[unit] = amount
        return within(amount, window, ctx.parameters)
    return test


def clinic_history(ctx, field, arg):
    """Find an earlier consent at this clinic on an overlapping area inside the window."""
    areas = set(ctx.answers.get(arg["areas"]) or ())
    for visit in ctx.history:
        days = (ctx.on - parse_date(visit["date"])).days
        overlap = areas & set(visit["areas"])
        if overlap and days >= 0 and within(days, arg["days"], ctx.parameters):
            ctx.facts.update(days=days, overlap=sorted(overlap), history_date=visit["date"])
            return True
    return False


def overlaps(ctx, field, other):
    """Tell whether two multi answers share a choice, remembering which."""
    shared = set(ctx.answers.get(field) or ()) & set(ctx.answers.get(other) or ())
    ctx.facts["overlap"] = sorted(shared)
    return bool(shared)


def mentions_medicine(ctx, field, class_ids):
    """Find medicines of these classes named in free text, not negated, that contradict
    their class's yes/no answer ("no" or "never"); a class without a question always counts.
    """
    found = []
    for mention in MEDICINES.mentions(ctx.answers.get(field)):
        for class_id in set(mention.classes) & set(class_ids):
            kind = MEDICINES.classes[class_id]
            answer = ctx.answers.get(kind.question) if kind.question else None
            if mention.negated or (kind.question and answer not in NEGATIVE):
                continue
            said = f"; {kind.question}: {answer}" if kind.question else ""
            found.append(f"{mention.words} ({mention.medicine}, {kind.name}{said})")
    ctx.facts["contradictions"] = found
    return bool(found)


# -- load-time checks: raise ValueError with a message naming what is wrong -------------

def need_type(field, vocabulary, *types):
    """Refuse a field whose type is not one of types."""
    kind = vocabulary[field]["type"]
    if kind not in types:
        raise ValueError(f"field '{field}' is a {kind}, expected {' or '.join(types)}")


def check_choice(field, value, vocabulary):
    """Refuse a value that is not one of the field's choices."""
    if value not in vocabulary[field]["choices"]:
        raise ValueError(f"'{value}' is not a choice of field '{field}'")


def check_equals(field, value, vocabulary, parameters):
    need_type(field, vocabulary, "choice", "multi")
    check_choice(field, value, vocabulary)


def check_in(field, values, vocabulary, parameters):
    need_type(field, vocabulary, "choice")
    if not isinstance(values, list) or not values:
        raise ValueError(f"'in' needs a list of choices of field '{field}'")
    for value in values:
        check_choice(field, value, vocabulary)


def check_overlaps(field, other, vocabulary, parameters):
    need_type(field, vocabulary, "multi")
    if other not in vocabulary:
        raise ValueError(f"unknown field '{other}'")
    need_type(other, vocabulary, "multi")


def check_not_empty(field, flag, vocabulary, parameters):
    if flag is not True:
        raise ValueError("'not_empty' takes the value true")


def check_classes(field, class_ids, vocabulary, parameters):
    need_type(field, vocabulary, "text")
    if not isinstance(class_ids, list) or not class_ids:
        raise ValueError("'mentions_medicine' needs a list of medicine classes")
    for class_id in class_ids:
        if class_id not in MEDICINES.classes:
            raise ValueError(f"unknown medicine class '{class_id}' "
                             "(rules/medicine_classes.toml)")
        question = MEDICINES.classes[class_id].question
        if question and question not in vocabulary:
            raise ValueError(f"medicine class '{class_id}' asks unknown field '{question}'")
        if question and not set(NEGATIVE) & set(vocabulary[question]["choices"]):
            raise ValueError(f"field '{question}' has no 'no' or 'never' answer")


def check_window(window, parameters):
    """Refuse a window with unknown bounds or parameters."""
    if not isinstance(window, dict) or not window:
        raise ValueError("a time window is a table like {lt = \"min_interval_days\"}")
    for bound, name in window.items():
        if bound not in COMPARE:
            raise ValueError(f"unknown bound '{bound}' (use lt, le, gt or ge)")
        if name not in parameters:
            raise ValueError(f"unknown parameter '{name}'")


def check_elapsed(field, window, vocabulary, parameters):
    need_type(field, vocabulary, "date")
    check_window(window, parameters)


def check_history(field, arg, vocabulary, parameters):
    if not isinstance(arg, dict) or set(arg) != {"areas", "days"}:
        raise ValueError("'clinic_history' needs areas and days")
    check_overlaps(arg["areas"], arg["areas"], vocabulary, parameters)
    check_window(arg["days"], parameters)


OPERATORS = {
    "equals": Operator(check_equals, lambda ctx, f, v: ctx.answers.get(f) == v),
    "in": Operator(check_in, lambda ctx, f, v: ctx.answers.get(f) in v),
    "includes": Operator(check_equals, lambda ctx, f, v: v in (ctx.answers.get(f) or ())),
    "overlaps": Operator(check_overlaps, overlaps),
    "not_empty": Operator(check_not_empty, lambda ctx, f, v: bool(ctx.answers.get(f))),
    "days_before": Operator(check_elapsed, elapsed("days", lambda a, b: (b - a).days)),
    "months_before": Operator(check_elapsed, elapsed("months", months_between)),
    "years_before": Operator(check_elapsed, elapsed("years", years_between)),
    "clinic_history": Operator(check_history, clinic_history, needs_field=False),
    "mentions_medicine": Operator(check_classes, mentions_medicine),
}
