"""Build tests/data/main-before-visits with main at 93ff375: run from its git archive."""
# git archive 93ff375 | tar -x -C /tmp/oldmain2; cd /tmp/oldmain2; python make_main_before_visits.py OUT
# Ada was countersigned and treated; Grace (mesotherapy) waits for her countersignature.
import sys
from pathlib import Path
sys.path.insert(0, "/tmp/oldmain2"); sys.path.insert(0, "/tmp/oldmain2/tests")
from conftest import config_for, countersign, enrolled_client, make_app, treat, valid_form
from consent.storage import connect
out = Path(sys.argv[1])
app = make_app(config_for(out))
tablet = enrolled_client(app)
assert tablet.post("/", data=valid_form()).status_code == 302
assert tablet.post("/", data=valid_form(first_name="Grace", last_name="Hopper",
                                        signed_name="Grace Hopper",
                                        treatment="mesotherapy_needling")).status_code == 302
db = connect(app.config["DATABASE"])
ada = next(db["submissions"].rows_where("first_name = 'Ada'"))["id"]
with app.app_context():
    assert countersign(app, db, ada)
    assert treat(app, db, ada)
print({row["first_name"]: row["status"] for row in db["submissions"].rows})
print(db["archive"].count, db["consents"].count)
