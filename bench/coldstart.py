"""Cold start: a fresh process from interpreter start to its first sealed PDF."""
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = """
import sys
sys.path.insert(0, "tests")
from pathlib import Path
from conftest import PATIENT, config_for, signature_data_url
from bench import countersigned
from consent import create_app
from consent.evidence.finalise import finalise
from consent.instance import initialise
from consent.intake import submissions
from consent.intake.signature import clean_png
from consent.kernel import clock
from consent.kernel.storage import connect
app = create_app(config_for(Path(sys.argv[1])))
initialise(app)
db = connect(app.config["DATABASE"])
row = submissions.submit(db, app.extensions["consent.ruleset"], PATIENT,
                         clean_png(signature_data_url()), clock.today())
finalise(db, app.config, countersigned(db, row["id"]))
"""


def run(repeat=3):
    """Print the wall time of fresh processes that produce one PDF each."""
    times = []
    for _ in range(repeat):
        folder = tempfile.mkdtemp(prefix="consent-cold-")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", SCRIPT, folder], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL,
                       env={**os.environ, "CONSENT_INSTANCE": f"{folder}/instance"})
        times.append(time.perf_counter() - start)
    print(f"cold start to first PDF (new process, key generation included): "
          f"min {min(times):.2f} s, median {sorted(times)[len(times) // 2]:.2f} s, n={repeat}")


if __name__ == "__main__":
    run()
