"""Build tests/data/main-backup with main at 6a39b1b: run from its git archive.

git archive 6a39b1b | tar -x -C /tmp/oldmain; cd /tmp/oldmain
.venv/bin/python make_main_backup.py OUT   (this file, copied there)

A clinic day as that main wrote it: Ada countersigned and treated, her records refreshed
with a document timestamp from a local TSA, a reaction with a photo; then `backup`. OUT
keeps the backup, the clinic's seal key (kept apart from backups), its age identity and
the TSA's root certificate.
"""
import io
import shutil
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, "."); sys.path.insert(0, "tests")
from PIL import Image

from conftest import (BACKUP_IDENTITY, config_for, countersign, enrolled_client, make_app,
                      treat, valid_form)
from consent import reactions
from consent.storage import connect
from local_tsa import LocalTsa

out = Path(sys.argv[1]).resolve()
tsa = LocalTsa(out / "tsa-files")
app = make_app(config_for(out / "instance", TSA_URL=tsa.url, TSA_ROOTS=str(tsa.roots)))
assert enrolled_client(app).post("/", data=valid_form()).status_code == 302
db = connect(app.config["DATABASE"])
ada = next(db["submissions"].rows_where("first_name = 'Ada'"))["id"]
with app.app_context():
    assert countersign(app, db, ada)
    assert treat(app, db, ada)
photo = io.BytesIO()
Image.new("RGB", (64, 48), "red").save(photo, format="PNG")
# that main's signature, without the clinic's signs
reactions.report(db, ada, "Red cheek", "face", date.today(), photo.getvalue())
runner = app.test_cli_runner()
print(runner.invoke(args=["archive", "refresh", "--within", "9000"]).output)
result = runner.invoke(args=["backup", str(out / "backup")])
print(result.output)
assert result.exit_code == 0
tsa.stop()
shutil.copytree(app.config["SEAL_DIR"], out / "seal")
shutil.copy2(tsa.roots, out / "tsa-roots.pem")
(out / "identity.txt").write_text(BACKUP_IDENTITY + "\n")
shutil.rmtree(out / "instance"); shutil.rmtree(out / "tsa-files")
print(sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()))
