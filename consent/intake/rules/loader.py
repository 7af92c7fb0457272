"""Load the rule set from TOML and check every rule against the questionnaire's vocabulary."""
import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from ...kernel.status import Severity
from .operators import MEDICINES, OPERATORS

CATEGORIES = {"infection", "bleeding", "interval", "healing", "eligibility", "allergy", "other"}
SEVERITIES = tuple(Severity)
COMBINATORS = {"all", "any", "not"}
RULE_KEYS = {"id", "category", "severity", "when", "message", "explanation", "source"}
OPTIONAL_KEYS = {"aftercare"}
INSTRUCTIONS = "{instructions}"  # the device's instructions for use, as the clinic names them
FACTS = {"days", "months", "years", "overlap", "history_date", "on", "contradictions"}
PLACEHOLDER = re.compile(r"\{([a-z_0-9]+)\}")


class RuleSetError(ValueError):
    """The rule set cannot be used; the message names the rule and the problem."""


@dataclass(frozen=True)
class Rule:
    """One row of the clinical rule table, compiled."""

    id: str
    category: str
    severity: str
    when: tuple
    fields: tuple
    message: str
    explanation: str
    source: str
    aftercare: str = ""


@dataclass(frozen=True)
class RuleSet:
    """A validated rule set with its version and the hash of its canonical content."""

    version: str
    sha256: str
    parameters: dict
    rules: tuple


def compile_node(node, vocabulary, parameters, fields):
    """Check one condition node and return it as (operator, field, argument)."""
    if not isinstance(node, dict):
        raise ValueError("a condition must be a table")
    ops = [key for key in node if key != "field"]
    if len(ops) != 1:
        raise ValueError(f"a condition needs exactly one operator, found {ops or 'none'}")
    name = ops[0]
    if name in COMBINATORS:
        children = node[name] if name != "not" else [node[name]]
        if not isinstance(children, list) or not children:
            raise ValueError(f"'{name}' needs a list of conditions")
        return (name, None, tuple(compile_node(c, vocabulary, parameters, fields)
                                  for c in children))
    if name not in OPERATORS:
        raise ValueError(f"unknown operator '{name}'")
    field = node.get("field")
    if OPERATORS[name].needs_field and field not in vocabulary:
        raise ValueError(f"unknown field '{field}'" if field else f"'{name}' needs a field")
    OPERATORS[name].check(field, node[name], vocabulary, parameters)
    fields.update(f for f in (field, node[name] if name == "overlaps" else None) if f)
    if name == "mentions_medicine":  # the flag points at the answers the medicines contradict
        fields.update(q for q in (MEDICINES.classes[c].question for c in node[name]) if q)
    if name == "clinic_history":
        fields.add(node[name]["areas"])
    return (name, field, node[name])


# Words that name no document: a source made only of these sends the reader nowhere.
VAGUE = re.compile(r"clinical rule table|rule table|clinic (policy|protocols?)|[^a-z]+", re.I)


def names_a_document(source):
    """Tell whether a rule's source names something a reader can look up."""
    return isinstance(source, str) and len(VAGUE.sub("", source)) >= 8


def compile_rule(raw, vocabulary, parameters):
    """Check one rule table and return it as a Rule."""
    missing, unknown = RULE_KEYS - set(raw), set(raw) - RULE_KEYS - OPTIONAL_KEYS
    if missing or unknown:
        raise ValueError(f"missing keys {sorted(missing)}" if missing
                         else f"unknown keys {sorted(unknown)}")
    if raw["category"] not in CATEGORIES:
        raise ValueError(f"bad category '{raw['category']}'")
    if raw["severity"] not in SEVERITIES:
        raise ValueError(f"bad severity '{raw['severity']}' (use {', '.join(SEVERITIES)})")
    if "instructions for use" in raw["source"].lower() and INSTRUCTIONS not in raw["source"]:
        raise ValueError(f"a source resting on a device's instructions for use cites them as "
                         f"{INSTRUCTIONS}, which names the clinic's device and version")
    if not names_a_document(raw["source"]):
        raise ValueError("its source must name a real document: the clinic leaflet, device or "
                         "product labelling, or a named guideline or paper with its year")
    fields = set()
    when = compile_node(raw["when"], vocabulary, parameters, fields)
    for name in PLACEHOLDER.findall(raw["message"]):
        if name not in vocabulary and name not in parameters and name not in FACTS:
            raise ValueError(f"message uses unknown value '{{{name}}}'")
    return Rule(raw["id"], raw["category"], raw["severity"], when, tuple(sorted(fields)),
                raw["message"], raw["explanation"], raw["source"], raw.get("aftercare", ""))


def canonical_sha256(data):
    """Hash the parsed rule set so formatting and comments do not change its identity."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def parse(data, vocabulary, instructions=None):
    """Validate parsed rule-set data and compile it; name the device's instructions in sources."""
    parameters = data.get("parameters", {})
    if not isinstance(data.get("version"), str) or not data.get("version"):
        raise RuleSetError("the rule set needs a version string")
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in parameters.values()):
        raise RuleSetError("every parameter must be a whole number")
    rules, seen = [], set()
    for index, raw in enumerate(data.get("rule", []), start=1):
        rule_id = raw.get("id") or f"#{index}"
        if rule_id in seen:
            raise RuleSetError(f"rule {rule_id}: the id is used twice")
        seen.add(rule_id)
        try:
            rules.append(compile_rule(raw, vocabulary, parameters))
        except (ValueError, TypeError, KeyError, AttributeError) as error:
            raise RuleSetError(f"rule {rule_id}: {error}") from None
    if not rules:
        raise RuleSetError("the rule set has no rules")
    if instructions:
        rules = [replace(rule, source=rule.source.replace(INSTRUCTIONS, instructions))
                 for rule in rules]
    return RuleSet(data["version"], canonical_sha256(data), dict(parameters), tuple(rules))


def load(path, vocabulary, instructions=None):
    """Read, validate and compile the rule set at path."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RuleSetError(f"{path}: {error}") from None
    return parse(data, vocabulary, instructions)
