"""Run every benchmark: `python -m bench` (or `make bench`)."""
from . import rules

for bench in (rules,):
    bench.run()
