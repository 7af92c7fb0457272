"""Build tests/data/main-before-countersign with main at 4ed57aa: run from its git archive."""
# git archive 4ed57aa | tar -x -C /tmp/oldmain; cd /tmp/oldmain; python make_main_before_countersign.py OUT
# Ada is cleared and archived (sealed as consented before anyone countersigned), Grace waits
# for a doctor, Mary was approved and archived, and Emmy (cleared) and Alan (approved) are
# stored but unarchived, as a failed PDF leaves them: they must wait for a countersignature.
import sys
from datetime import date
from pathlib import Path
sys.path.insert(0, "/tmp/oldmain"); sys.path.insert(0, "/tmp/oldmain/tests")
from conftest import PATIENT, valid_form, config_for, enrolled_client, staff_client, patient
from consent import create_app, decisions, submissions
from consent.instance import initialise
from consent.questionnaire import vocabulary
from consent.rules import load
from consent.storage import connect
out = Path(sys.argv[1])
from conftest import make_app
app = make_app(config_for(out))

tablet = enrolled_client(app)
r0 = tablet.post("/", data=valid_form()); assert r0.status_code == 302, r0.get_data(as_text=True)[-3000:]
assert tablet.post("/", data=valid_form(first_name="Grace", last_name="Hopper", signed_name="Grace Hopper", cold_sore_now="yes")).status_code == 302
assert tablet.post("/", data=valid_form(first_name="Mary", last_name="Shelley", signed_name="Mary Shelley", cold_sore_history="yes")).status_code == 302
doctor = staff_client(app, "dr.house", "doctor")
staff_client(app, "alice", "admin")
db = connect(app.config["DATABASE"])
mary = next(db["submissions"].rows_where("last_name = 'Shelley'"))["id"]
r = doctor.post(f"/review/{mary}/decide", data={"outcome": "approved", "note": "Antiviral cover."})
assert r.status_code == 302, r.data
with app.app_context():
    ruleset = load(app.config["RULES_FILE"], vocabulary())
signature = next(db["submissions"].rows)["signature"]
today = date.fromisoformat(next(db["submissions"].rows)["treatment_date"])
submissions.submit(db, ruleset, patient(first_name="Emmy", last_name="Noether", signed_name="Emmy Noether"), signature, today)
alan = submissions.submit(db, ruleset, patient(first_name="Alan", last_name="Turing", signed_name="Alan Turing", cold_sore_history="yes"), signature, today)
decisions.decide(db, alan["id"], "dr.house", "approved")
print({row["last_name"]: row["status"] for row in db["submissions"].rows})
print(db["archive"].count, db["audit"].count)
