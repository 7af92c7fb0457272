"""The clinic's treatment catalogue (rules/treatments.toml), checked when it is loaded."""
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from ..kernel import clock

# Beside the rule set, found by the package's name so a copy of the tree finds its own.
DEFAULT_FILE = Path(str(resources.files("consent"))).parent / "rules" / "treatments.toml"
# Where on the body a treatment may be done: the questionnaire's `areas` choices.
AREAS = (("face", "Face"), ("neck", "Neck"), ("decolletage", "Chest (décolletage)"),
         ("scalp", "Scalp"), ("hands", "Hands"), ("arms", "Arms"), ("abdomen", "Tummy"),
         ("back", "Back"), ("buttocks", "Buttocks"), ("thighs", "Thighs"))
REQUIRED = {"id": str, "name": str, "cooling_off_hours": int, "records_product": bool,
            "areas": list, "cost": str, "numbing_review_grams": (int, float), "age": dict,
            "information": dict, "risk": list, "record": list}
AGE = ({"minimum": int, "source": str}, {"law": str})
INFORMATION = ({"what": str, "how": str, "feels": str, "sessions": str, "results": str,
                "alternatives": list, "aftercare": list, "warning_signs": str}, {})
RISK = ({"risk": str, "likelihood": str, "source": str}, {"serious": bool})
FIELD = ({"name": str, "label": str, "kind": str},
         {"unit": str, "min": (int, float), "max": (int, float), "choices": list})
FIELD_KINDS = ("text", "number", "whole", "choice")


class CatalogueError(ValueError):
    """The catalogue cannot be used; the message names the treatment and the problem."""


@dataclass(frozen=True)
class Risk:
    """One material risk, told to the patient with how likely it is."""

    risk: str
    likelihood: str
    source: str
    serious: bool = False


@dataclass(frozen=True)
class RecordField:
    """One thing the treatment record notes for each area treated."""

    name: str
    label: str
    kind: str
    unit: str = ""
    min: float = None
    max: float = None
    choices: tuple = ()  # (value, label) pairs

    def shown(self, value):
        """Return a recorded value as the record prints it."""
        if value is None or value == "":
            return ""
        if self.kind == "choice":
            return dict(self.choices).get(value, value)
        return f"{value} {self.unit}".strip()


@dataclass(frozen=True)
class Treatment:
    """One treatment the clinic offers, as the catalogue declares it."""

    id: str
    name: str
    cooling_off_hours: int
    records_product: bool
    minimum_age: int
    law: str  # the law that sets the minimum age, or "" when it is the clinic's policy
    age_source: str
    areas: tuple = ()
    cost: str = ""
    information: dict = None  # what, how, feels, sessions, results, alternatives, aftercare...
    risks: tuple = ()
    record: tuple = ()  # RecordField, asked for each area treated
    numbing_review_grams: float = 0  # more numbing cream than this: a doctor reviews it


def load(path=DEFAULT_FILE):
    """Read and check the catalogue; return its treatments by id, in the file's order."""
    try:
        data = tomllib.loads(Path(path).read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise CatalogueError(f"{path}: {error}") from error
    entries = data.get("treatment")
    if not isinstance(entries, list) or not entries:
        raise CatalogueError(f"{path}: no [[treatment]] entries")
    treatments = {}
    for number, entry in enumerate(entries, 1):
        treatment = parse(entry, f"treatment {entry.get('id', number)!s}")
        if treatment.id in treatments:
            raise CatalogueError(f"treatment {treatment.id}: declared twice")
        treatments[treatment.id] = treatment
    return treatments


def parse(entry, where):
    """Check one [[treatment]] table and return it as a Treatment."""
    typed(entry, REQUIRED, {}, where)
    age, information = entry["age"], entry["information"]
    typed(age, *AGE, f"{where}, age")
    typed(information, *INFORMATION, f"{where}, information")
    if entry["cooling_off_hours"] < 0 or not 0 <= age["minimum"] <= 120 or \
            not 0 < entry["numbing_review_grams"] <= 100:
        raise CatalogueError(f"{where}: cooling_off_hours, age.minimum and "
                             "numbing_review_grams must be sensible")
    if not entry["id"].isidentifier() or not entry["id"].islower():
        raise CatalogueError(f"{where}: id must be lower case letters, digits and _")
    strings(information["alternatives"], f"{where}, information.alternatives")
    strings(information["aftercare"], f"{where}, information.aftercare")
    if not any("no treatment" in line.lower() for line in information["alternatives"]):
        raise CatalogueError(f"{where}: alternatives must include having no treatment")
    known = {value for value, _ in AREAS}
    if not entry["areas"] or not set(strings(entry["areas"], f"{where}, areas")) <= known:
        raise CatalogueError(f"{where}: areas must be some of {', '.join(sorted(known))}")
    return Treatment(entry["id"], entry["name"], entry["cooling_off_hours"],
                     entry["records_product"], age["minimum"], age.get("law", ""),
                     age["source"], tuple(entry["areas"]), entry["cost"], information,
                     risks(entry["risk"], where), record(entry["record"], where),
                     entry["numbing_review_grams"])


def risks(entries, where):
    """Check the material risks: at least one, each sourced, at least one rare serious one."""
    found = []
    for number, entry in enumerate(entries, 1):
        typed(entry, *RISK, f"{where}, risk {number}")
        found.append(Risk(entry["risk"], entry["likelihood"], entry["source"],
                          entry.get("serious", False)))
    if not any(risk.serious for risk in found):
        raise CatalogueError(f"{where}: name its serious risks (serious = true), however rare")
    return tuple(found)


def record(entries, where):
    """Check the treatment record's fields: known kinds, ranges for numbers, unique names."""
    fields = []
    for number, entry in enumerate(entries, 1):
        here = f"{where}, record field {entry.get('name', number)}"
        typed(entry, *FIELD, here)
        if entry["kind"] not in FIELD_KINDS or not entry["name"].isidentifier():
            raise CatalogueError(f"{here}: kind must be one of {', '.join(FIELD_KINDS)}")
        numeric = entry["kind"] in ("number", "whole")
        if numeric and not entry.get("min", 1) < entry.get("max", 0):
            raise CatalogueError(f"{here}: a number needs min < max")
        choices = entry.get("choices", [])
        if (entry["kind"] == "choice") != bool(choices) or \
                not all(isinstance(c, list) and len(c) == 2 for c in choices):
            raise CatalogueError(f"{here}: a choice needs choices = [[value, label], ...]")
        fields.append(RecordField(entry["name"], entry["label"], entry["kind"],
                                  entry.get("unit", ""), entry.get("min"), entry.get("max"),
                                  tuple(tuple(c) for c in choices)))
    if len({f.name for f in fields}) != len(fields) or not fields:
        raise CatalogueError(f"{where}: the record needs fields, each named once")
    return tuple(fields)


def strings(values, where):
    """Refuse a list that holds anything but text that says something."""
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise CatalogueError(f"{where}: must be a list of words")
    return values


def typed(table, required, optional, where):
    """Refuse a missing key, a key of the wrong type, or one the catalogue does not know."""
    for key in required:
        if key not in table:
            raise CatalogueError(f"{where}: {key} is required (there is no default)")
    for key, value in table.items():
        kind = required.get(key) or optional.get(key)
        if kind is None:
            raise CatalogueError(f"{where}: unknown key {key}")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise CatalogueError(f"{where}: {key} must be {getattr(kind, '__name__', 'a number')}")
        if kind is str and not value.strip():
            raise CatalogueError(f"{where}: {key} is empty")


def forbidden_by_law(treatment, date_of_birth, on):
    """Return the law that forbids this treatment for this patient on that day, or ""."""
    if treatment is None or not treatment.law or date_of_birth is None:
        return ""
    return treatment.law if clock.years_between(date_of_birth, on) < treatment.minimum_age \
        else ""


# The treatments the clinic offers, read once: the questionnaire's choices come from here.
TREATMENTS = load()


def records_product(treatment):
    """Say whether a treatment's product and batch must be recorded (the catalogue says)."""
    return treatment in TREATMENTS and TREATMENTS[treatment].records_product


def law_refusal(submission):
    """Say why the law forbids a submission's treatment for its patient, or return ""."""
    treatment, born = TREATMENTS.get(submission["treatment"]), \
        submission["answers"].get("date_of_birth")
    law = forbidden_by_law(treatment, born and date.fromisoformat(born),
                           date.fromisoformat(submission["treatment_date"]))
    return law and (f"The {law} forbids {treatment.name.lower()} for anyone under "
                    f"{treatment.minimum_age}, whatever a parent or guardian agrees: no one "
                    "can approve, countersign or record it.")
