"""Build tests/data/main-before-catalogue with main at ba0753d: run from its git archive.

git archive ba0753d | tar -x -C /tmp/oldmain3; cd /tmp/oldmain3
.venv/bin/python make_main_before_catalogue.py OUT   (this file, copied there)

Ada had injected mesotherapy, recorded as that main forced it (device and needle depth);
Grace (injected mesotherapy too) waits for her countersignature. Both read the one shared
information text, which that main kept as a template.
"""
import sys
from pathlib import Path

sys.path.insert(0, "."); sys.path.insert(0, "tests")
from conftest import NO_COOLING_OFF, config_for, countersign, enrolled_client, make_app, treat, valid_form
from consent.kernel.storage import connect

out = Path(sys.argv[1]).resolve()
app = make_app(config_for(out, COOLING_OFF_HOURS=NO_COOLING_OFF))
tablet = enrolled_client(app)
for first in ("Ada", "Grace"):
    assert tablet.post("/", data=valid_form(first_name=first, signed_name=f"{first} Lovelace",
                                            treatment="mesotherapy_injection")).status_code == 302
db = connect(app.config["DATABASE"])
ada = next(db["submissions"].rows_where("first_name = 'Ada'"))["id"]
with app.app_context():
    assert countersign(app, db, ada)
    assert treat(app, db, ada, details={
        "areas": [{"area": "face", "device": "Syringe", "needle_depth_mm": 0.5}],
        "numbing": None, "products": [{"name": "Profhilo", "batch": "PH-2317",
                                       "expiry": "2027-03-31"}], "reaction": ""})
print({row["first_name"]: row["status"] for row in db["submissions"].rows})
print(db["archive"].count, db["information_texts"].count)
