"""Run every benchmark: `python -m bench` (or `make bench`); figures are from this run."""
import os

from . import coldstart, finalise, http, queue, rules, verify

rules.run()
queue.run()
coldstart.run()
finalise.run()
verify.run()
http.run(load_seconds=float(os.environ.get("CONSENT_LOAD_SECONDS", "60")))
