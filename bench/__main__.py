"""Run every benchmark: `python -m bench` (or `make bench`)."""
from . import finalise, rules

for bench in (rules, finalise):
    bench.run()
