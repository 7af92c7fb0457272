"""A faster render says the same: a fixed patient's consent reads word for word as it did
before the render was made cheaper (main at fe00f39, tests/data/make_consent_text.py)."""
from pathlib import Path

import pytest
import record_text

pytestmark = pytest.mark.slow
BEFORE = Path(__file__).parents[1] / "data" / "consent-words-fe00f39.txt"


def test_the_consent_says_what_it_said(tmp_path):
    before, now = BEFORE.read_text().split(), record_text.consent_text(tmp_path).split()
    assert len(now) == len(before)  # the same words, in the same order
    assert now == before
