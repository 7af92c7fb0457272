"""Evaluate the full rule set on one submission with several flags."""
import tomllib
from datetime import date
from pathlib import Path

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


if __name__ == "__main__":
    run()
