"""A clinic adds a treatment by editing its data files only, and treats a patient with it."""
import os
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT, treatment_toml

NEW_TREATMENT = treatment_toml(
    "led_light_needling", "Micro-needling with LED light",
    "Micro-needling followed by twenty minutes under a red LED panel.", '''
[[treatment.record]]
name = "panel_minutes"
label = "Time under the panel"
kind = "whole"
unit = "min"
min = 5
max = 40
''', cooling_off_hours=0, cost="£140 a session.")

WALK = '''
import sys, time
from datetime import timedelta
from pathlib import Path

import consent
from consent.kernel import clock
import conftest as c

assert consent.__file__.startswith(sys.argv[1]), consent.__file__  # the copy's own package
start = time.monotonic()
clock.now = lambda: c.FROZEN + timedelta(seconds=time.monotonic() - start)
app = c.make_app(c.config_for(Path(sys.argv[2])))
tablet = c.enrolled_client(app)
assert "Micro-needling with LED light" in tablet.get("/").get_data(as_text=True)
sent = tablet.post("/", data=c.valid_form(treatment="led_light_needling", areas=["face"]))
assert sent.status_code == 302, sent.get_data(as_text=True)
db = c.connect(app.config["DATABASE"])
sid = next(db["submissions"].rows)["id"]
nurse = c.signer(app, "nurse.joy", "practitioner")
signed = nurse.post(f"/practice/{sid}", data={**c.CONFIRMED_FORM, "pin": c.PIN})
assert signed.status_code == 302, signed.get_data(as_text=True)
form = nurse.get(f"/practice/{sid}/treatment").get_data(as_text=True)
assert 'id="panel_minutes_face"' in form and "needle_depth" not in form
done = nurse.post(f"/practice/{sid}/treatment", data={
    "outcome": "treated", "areas": ["face"], "panel_minutes_face": "20", "reaction": ""})
assert done.status_code == 302, done.get_data(as_text=True)
consent_text = c.text_of(c.archived_bytes(app, db, sid))
record_text = c.text_of(c.archived_bytes(app, db, f"{sid}.treatment"))
assert "twenty minutes under a red LED panel" in consent_text and "£140" in consent_text
assert "Time under the panel" in record_text and "Face 20 min" in record_text
verify = app.test_cli_runner().invoke(args=["archive", "verify"])
assert verify.exit_code == 0, verify.output
print("walked", sid)
'''


@pytest.mark.slow
def test_a_fifth_treatment_added_by_data_only_walks_from_tablet_to_sealed_record(tmp_path):
    tree = tmp_path / "tree"
    shutil.copytree(ROOT / "consent", tree / "consent",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "rules", tree / "rules")
    catalogue = tree / "rules" / "treatments.toml"
    catalogue.write_text(catalogue.read_text() + NEW_TREATMENT)  # the only edit
    (tmp_path / "instance").mkdir()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), str(ROOT / "tests")])}
    walked = subprocess.run([sys.executable, "-c", WALK, str(tree), str(tmp_path / "instance")],
                            env=env, cwd=tree, capture_output=True, text=True, timeout=120)
    assert walked.returncode == 0, walked.stderr[-3000:]
    assert walked.stdout.startswith("walked ")
