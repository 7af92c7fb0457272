"""Tests of consent/visits/."""
