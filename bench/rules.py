"""Evaluate the full rule set on one submission with several flags."""
import tomllib
from datetime import date
from pathlib import Path

from consent.intake.medicines import load as load_medicines
from consent.intake.rules import evaluate, load, vocabulary

from . import summary, timed

ROOT = Path(__file__).resolve().parents[1]


def run():
    """Print the median time to evaluate every rule once."""
    ruleset = load(ROOT / "rules" / "ruleset.toml", vocabulary())
    base = tomllib.loads((ROOT / "rules" / "cases.toml").read_text())["base"]["answers"]
    answers = {**base, "had_previous_session": "yes", "last_session_date": "2026-11-20",
               "last_session_areas": ["face"], "cold_sore_history": "yes",
               "questions_for_doctor": "Will it hurt?"}
    history = [{"date": "2026-11-10", "areas": ["neck"]}, {"date": "2026-10-01", "areas": ["face"]}]
    on = date(2026, 12, 1)
    durations = timed(lambda: evaluate(ruleset, answers, on, history), 5000)
    print(f"rules: evaluate {len(ruleset.rules)} rules: {summary(durations, 1e6, 'µs')}")
    medicines(load_medicines())


# A long list as patients write it: brands, doses, a misspelling and a negation.
MEDICATIONS = ("Metformin 500 mg twice daily, ramipril 5mg, atorvastatin 20 mg at night, "
               "Eliquis 5 mg bd, Nurofen when needed (not on aspirin), levothyroxine 100 "
               "micrograms, vitamin D, omeprazol 20mg, sertraline 50 mg, warfrin stopped 2019")


def medicines(vocabulary):
    """Print the median time to read one submission's medicines through the vocabulary."""
    found = vocabulary.mentions(MEDICATIONS)
    durations = timed(lambda: vocabulary.mentions(MEDICATIONS), 2000)
    print(f"rules: medicine check, {len(MEDICATIONS.split())} words, {len(found)} medicines "
          f"named: {summary(durations, 1e6, 'µs')}")


if __name__ == "__main__":
    run()
