"""Build tests/data/previous-main with main at f32b64c: run from its git archive."""
# git archive f32b64c | tar -x -C /tmp/oldmain; cd /tmp/oldmain; python make_previous_main.py OUT
import sys
from pathlib import Path
sys.path.insert(0, "/tmp/oldmain"); sys.path.insert(0, "/tmp/oldmain/tests")
from conftest import valid_form, config_for, enrolled_client, staff_client
from consent import create_app
from consent.instance import initialise
out = Path(sys.argv[1])
app = create_app(config_for(out))
initialise(app)
tablet = enrolled_client(app)
assert tablet.post("/", data=valid_form()).status_code == 302
assert tablet.post("/", data=valid_form(first_name="Grace", last_name="Hopper", signed_name="Grace Hopper", cold_sore_now="yes")).status_code == 302
assert tablet.post("/", data=valid_form(first_name="Mary", last_name="Shelley", signed_name="Mary Shelley", cold_sore_history="yes")).status_code == 302
doctor = staff_client(app, "dr.house", "doctor")
staff_client(app, "alice", "admin")
from consent.storage import connect
db = connect(app.config["DATABASE"])
mary = next(db["submissions"].rows_where("last_name = 'Shelley'"))["id"]
r = doctor.post(f"/review/{mary}/decide", data={"outcome": "approved", "note": "Antiviral cover."})
assert r.status_code == 302, r.data
print({row["last_name"]: row["status"] for row in db["submissions"].rows})
print(db["archive"].count, db["audit"].count)
