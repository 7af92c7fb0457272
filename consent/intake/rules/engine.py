"""Evaluate answers against a rule set: pure, explained, and the clock is an input."""
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from ...kernel.clock import spoken
from ...kernel.status import BLOCKING, SEVERITY_ORDER, Status
from .loader import PLACEHOLDER, RuleSet
from .operators import OPERATORS

ISO_DATE = re.compile(r"\d{4}-\d{2}(-\d{2})?")

COMBINATORS = {
    "all": lambda ctx, nodes: all(ctx.test(node) for node in nodes),
    "any": lambda ctx, nodes: any(ctx.test(node) for node in nodes),
    "not": lambda ctx, nodes: not ctx.test(nodes[0]),
}


@dataclass(frozen=True)
class Flag:
    """A rule that fired, with what triggered it and why it matters."""

    rule: str
    category: str
    severity: str
    fields: list
    message: str
    explanation: str
    source: str
    aftercare: str = ""


@dataclass(frozen=True)
class Evaluation:
    """The outcome of one evaluation: status, flags and the rule set that judged."""

    status: str
    on: str
    version: str
    sha256: str
    flags: list = field(default_factory=list)

    def to_dict(self):
        """Return the evaluation as JSON-ready data."""
        return {"status": self.status, "on": self.on,
                "ruleset": {"version": self.version, "sha256": self.sha256},
                "flags": [asdict(flag) for flag in self.flags]}


@dataclass
class Context:
    """What conditions are tested against, plus the facts they found."""

    answers: dict
    on: date
    history: list
    parameters: dict
    facts: dict = field(default_factory=dict)

    def test(self, node):
        """Evaluate one compiled condition node."""
        name, field_name, arg = node
        if name in COMBINATORS:
            return COMBINATORS[name](self, arg)
        return OPERATORS[name].test(self, field_name, arg)


def show(value):
    """Render an answer or fact for a message a doctor reads (dates spoken, as everywhere)."""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value)) or "none"
    if isinstance(value, date):
        value = value.isoformat()
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        return spoken(value)
    return "not given" if value in (None, "") else str(value)


def explain(template, ctx):
    """Fill a message template with facts, answers and parameters (no format mini-language)."""
    values = {**ctx.parameters, **ctx.answers, "on": ctx.on, **ctx.facts}
    return PLACEHOLDER.sub(lambda m: show(values.get(m[1])), template)


def evaluate(ruleset: RuleSet, answers, on: date, history=()):
    """Judge answers for a treatment date against the rule set, with the clinic's history."""
    flags = []
    for rule in ruleset.rules:
        ctx = Context(answers, on, list(history), ruleset.parameters)
        if ctx.test(rule.when):
            flags.append(Flag(rule.id, rule.category, rule.severity, list(rule.fields),
                              explain(rule.message, ctx), rule.explanation, rule.source,
                              rule.aftercare))
    flags.sort(key=lambda flag: SEVERITY_ORDER[flag.severity])  # stop, review, advice
    status = Status.NEEDS_REVIEW if any(f.severity in BLOCKING for f in flags) else Status.CLEARED
    return Evaluation(status, on.isoformat(), ruleset.version, ruleset.sha256, flags)
