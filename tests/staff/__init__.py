"""Tests of consent/staff/."""
