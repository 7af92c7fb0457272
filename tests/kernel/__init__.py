"""Tests of consent/kernel/."""
