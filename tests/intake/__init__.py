"""Tests of consent/intake/."""
