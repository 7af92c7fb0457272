"""Tests of consent/practice/."""
