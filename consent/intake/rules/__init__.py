"""The rule set: data under rules/, loaded and checked, evaluated by an operator table."""
from ..questionnaire import vocabulary
from .engine import Evaluation, Flag, evaluate
from .loader import RuleSet, RuleSetError, load

__all__ = ["Evaluation", "Flag", "RuleSet", "RuleSetError", "evaluate", "load", "vocabulary"]
