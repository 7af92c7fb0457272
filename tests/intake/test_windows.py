"""The waiting windows as first days allowed: the interval, the clinic's records, isotretinoin."""
from datetime import date

from consent.intake.windows import earliest

PARAMETERS = {"min_interval_days": 7, "isotretinoin_wait_months": 6}
FACE = {"areas": ["face", "neck"], "had_previous_session": "no", "isotretinoin": "never"}


def test_the_clinics_own_record_of_the_same_area_sets_the_window():
    history = [{"date": "2026-11-30", "areas": ["neck"]}, {"date": "2026-11-01",
                                                            "areas": ["face"]}]
    assert earliest(FACE, history, PARAMETERS) == (
        date(2026, 12, 7), "the clinic's last treatment of the same area")
    assert earliest(FACE, [{"date": "2026-11-30", "areas": ["hands"]}], PARAMETERS) is None


def test_the_latest_window_wins_and_none_applies_without_one():
    answers = {**FACE, "isotretinoin": "stopped", "isotretinoin_stopped_date": "2026-11-15",
               "had_previous_session": "yes", "last_session_areas": ["face"],
               "last_session_date": "2026-11-30"}
    assert earliest(answers, [], PARAMETERS) == (date(2027, 5, 15), "isotretinoin stopped")
    assert earliest(FACE, [], PARAMETERS) is None
    assert earliest({**FACE, "isotretinoin": "current"}, [], PARAMETERS) is None
