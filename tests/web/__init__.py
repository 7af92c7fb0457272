"""Tests of consent/web/: who may open what, and the headers every page carries."""
