"""Run every benchmark: `python -m bench` (or `make bench`); figures are from this run."""
import gc
import os

from . import coldstart, finalise, http, languages, queue, render, rules, verify


def fresh_heap():
    """Keep one benchmark's leftovers (100,000 queue rows) out of the next one's GC passes."""
    gc.collect()
    gc.freeze()


for step in (rules.run, queue.run, coldstart.run, finalise.run, render.run, languages.run,
             verify.run):
    step()
    fresh_heap()
http.run(load_seconds=float(os.environ.get("CONSENT_LOAD_SECONDS", "60")))
