"""The clinic's treatment catalogue (rules/treatments.toml), checked when it is loaded."""
import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path

from ..kernel import clock

# Beside the rule set, found by the package's name so a copy of the tree finds its own.
DEFAULT_FILE = Path(str(resources.files("consent"))).parent / "rules" / "treatments.toml"
REQUIRED = {"id": str, "name": str, "cooling_off_hours": int, "records_product": bool,
            "age": dict}
AGE_REQUIRED = {"minimum": int, "source": str}
AGE_OPTIONAL = {"law": str}


class CatalogueError(ValueError):
    """The catalogue cannot be used; the message names the treatment and the problem."""


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
    age = entry["age"]
    typed(age, AGE_REQUIRED, AGE_OPTIONAL, f"{where}, age")
    if entry["cooling_off_hours"] < 0 or not 0 <= age["minimum"] <= 120:
        raise CatalogueError(f"{where}: cooling_off_hours and age.minimum must be sensible")
    if not entry["id"].isidentifier() or not entry["id"].islower():
        raise CatalogueError(f"{where}: id must be lower case letters, digits and _")
    return Treatment(entry["id"], entry["name"], entry["cooling_off_hours"],
                     entry["records_product"], age["minimum"], age.get("law", ""), age["source"])


def typed(table, required, optional, where):
    """Refuse a missing key, a key of the wrong type, or one the catalogue does not know."""
    for key, kind in required.items():
        if key not in table:
            raise CatalogueError(f"{where}: {key} is required (there is no default)")
    for key, value in table.items():
        kind = required.get(key) or optional.get(key)
        if kind is None:
            raise CatalogueError(f"{where}: unknown key {key}")
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise CatalogueError(f"{where}: {key} must be {kind.__name__}")
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
