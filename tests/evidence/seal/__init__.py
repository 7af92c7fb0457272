"""Tests of consent/evidence/seal/."""
