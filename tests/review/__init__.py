"""Tests of consent/review/."""
