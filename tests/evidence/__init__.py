"""Tests of consent/evidence/."""
