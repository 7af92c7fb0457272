from pathlib import Path

import pytest

from consent import create_app
from consent.db import get_db
from consent.kernel.storage import connect


@pytest.fixture
def instance(tmp_path, monkeypatch):
    """Point Flask's instance folder at tmp_path for apps made without test config."""
    monkeypatch.setenv("CONSENT_INSTANCE", str(tmp_path))
    return tmp_path


def test_config(tmp_path):
    assert not create_app({"DATABASE": str(tmp_path / "x.sqlite")}).testing
    assert create_app({"TESTING": True, "DATABASE": str(tmp_path / "x.sqlite")}).testing


def test_init_is_idempotent_and_generates_the_key_once(instance):
    app = create_app()
    result = app.test_cli_runner().invoke(args=["init", "--clinic-name", "Elm Clinic"])
    assert result.exit_code == 0, result.output
    assert "Generated a new secret key" in result.output
    config = instance / "config.py"
    first = config.read_text()
    assert "SECRET_KEY = '" in first and oct(config.stat().st_mode)[-3:] == "600"
    result = create_app().test_cli_runner().invoke(args=["init"])
    assert result.exit_code == 0 and "Kept the existing secret key" in result.output
    assert config.read_text() == first
    db = connect(str(instance / "consent.sqlite"))
    assert {"submissions", "archive"} <= set(db.table_names())
    assert (instance / "archive").is_dir()


def test_create_app_reads_the_instance_config(instance):
    (instance / "config.py").write_text("SECRET_KEY = 'from-instance'\nCLINIC_NAME = 'Elm Clinic'\n")
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-instance"
    assert app.config["CLINIC_NAME"] == "Elm Clinic"
    assert Path(app.config["DATABASE"]).parent == instance


def test_pragmas_on_the_app_connection(app):
    with app.app_context():
        db = get_db()
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
        assert db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_placeholders_are_warned_about_at_start_and_on_staff_pages(tmp_path):
    from consent.instance import startup_checks

    from conftest import config_for, make_app, staff_client
    shipped = make_app(config_for(tmp_path / "a"))
    warned = [w for w in startup_checks(shipped.config) if "placeholder" in w]
    assert [w.split()[0] for w in warned] == ["CLINIC_NAME", "CLINIC_ADDRESS", "CLINIC_PHONE",
                                              "DEVICE_INSTRUCTIONS"]
    page = staff_client(shipped, "dr.a", "doctor").get("/review").get_data(as_text=True)
    assert "Not ready for patients: CLINIC_NAME, CLINIC_ADDRESS, CLINIC_PHONE, " \
        "DEVICE_INSTRUCTIONS" in page
    ready = make_app(config_for(tmp_path / "b", CLINIC_NAME="Skin & Co",
                                CLINIC_ADDRESS="2 Mill Lane, Leeds", CLINIC_PHONE="0113 496 0000",
                                DEVICE_INSTRUCTIONS="Dermapen 4 IFU, version for the tests"))
    assert not [w for w in startup_checks(ready.config) if "placeholder" in w]
    page = staff_client(ready, "dr.b", "doctor").get("/review").get_data(as_text=True)
    assert "Not ready for patients" not in page


def test_init_writes_a_config_with_every_clinic_setting_commented(tmp_path):
    from consent.instance import write_config
    assert write_config(tmp_path)
    text = (tmp_path / "config.py").read_text()
    for name in ("CLINIC_NAME", "CLINIC_ADDRESS", "CLINIC_PHONE", "CLINIC_TIMEZONE",
                 "SEAL_KEY_FILE", "SEAL_PKCS11_MODULE", "TSA_URL", "TSA_ROOTS",
                 "BACKUP_RECIPIENT", "CHECKPOINT_DIR"):
        assert f"\n# {name} = " in text, name
    namespace = {}
    exec(text, namespace)  # the commented lines leave a valid file with only the secret key
    assert set(namespace) - {"__builtins__"} == {"SECRET_KEY"}


def test_links_printed_in_a_second_terminal_point_where_make_run_serves(instance, monkeypatch):
    from consent import instance as folder
    monkeypatch.setattr(folder.tls, "ensure", lambda *args: [])  # no HTTPS files needed here
    (instance / "config.py").write_text("SECRET_KEY = 'k'\nCLINIC_NAME = 'Elm Clinic'\n")
    guessed = create_app().test_cli_runner().invoke(args=["kiosk", "enrol", "Reception 1"])
    assert guessed.exit_code != 0 and "set PUBLIC_URL in instance/config.py" in guessed.output
    # `make run HTTPS=1 PORT=5143` runs init with the address it is about to serve on ...
    monkeypatch.setenv("CONSENT_PUBLIC_URL", "https://127.0.0.1:5143")
    assert create_app().test_cli_runner().invoke(args=["init"]).exit_code == 0
    monkeypatch.delenv("CONSENT_PUBLIC_URL")  # ... and the second terminal has no such variable
    runner = create_app().test_cli_runner()
    link = runner.invoke(args=["kiosk", "enrol", "Reception 1"]).output
    assert link.startswith("https://127.0.0.1:5143/kiosk/enrol#")
    again = runner.invoke(args=["kiosk", "enrol", " reception 1 "])
    assert again.exit_code != 0 and "already called" in again.output


def test_two_tablets_cannot_share_a_name_in_admin(app):
    from conftest import staff_client
    admin = staff_client(app, "alice", "admin")
    assert admin.post("/admin/kiosks", data={"name": "Reception 1"}).status_code == 200
    twice = admin.post("/admin/kiosks", data={"name": "Reception 1"})
    assert twice.status_code == 422 and b"A tablet is already called" in twice.data


def test_every_start_warns_while_there_is_no_trusted_time(tmp_path):
    from consent.instance import startup_checks

    from conftest import config_for, make_app
    bare = make_app(config_for(tmp_path / "a"))
    assert any("No time-stamping authority" in w for w in startup_checks(bare.config))
    stamped = make_app(config_for(tmp_path / "b", TSA_URL="http://127.0.0.1:1/tsa"))
    assert not any("time-stamping" in w for w in startup_checks(stamped.config))


def test_init_makes_no_key_under_the_placeholder_name_and_takes_the_clinics(instance):
    from consent.evidence.seal import keys
    refused = create_app().test_cli_runner().invoke(args=["init"])
    assert refused.exit_code != 0 and "Set the clinic's name first" in refused.output
    assert not (instance / "seal").exists() and not (instance / "tls").exists()
    named = create_app().test_cli_runner().invoke(args=["init", "--clinic-name",
                                                         "Harbour Skin Clinic"])
    assert named.exit_code == 0, named.output
    assert "CLINIC_NAME = 'Harbour Skin Clinic'" in (instance / "config.py").read_text()
    app = create_app()
    assert app.config["CLINIC_NAME"] == "Harbour Skin Clinic"
    assert keys.named(instance / "seal" / "cert.pem") == "Harbour Skin Clinic"
    assert keys.named(instance / "tls" / "ca.pem") == "Harbour Skin Clinic"
    from consent.staff import mfa
    assert "issuer=Harbour%20Skin%20Clinic" in mfa.provisioning_uri(
        "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", "office", app.config["CLINIC_NAME"])


@pytest.mark.slow
def test_a_certificate_naming_another_clinic_is_warned_about_and_reissued(tmp_path):
    from consent.evidence.seal import keys
    from consent.instance import startup_checks
    from consent.kernel.storage import connect

    from conftest import config_for, countersign, enrolled_client, make_app, valid_form
    app = make_app(config_for(tmp_path / "a"))  # keys made under the placeholder
    assert enrolled_client(app).post("/", data=valid_form()).status_code == 302
    db = connect(app.config["DATABASE"])
    with app.app_context():
        countersign(app, db, next(db["submissions"].rows)["id"])
    app.config["CLINIC_NAME"] = "Harbour Skin Clinic"  # README step 3, after the first start
    warned = [w for w in startup_checks(app.config) if "name another clinic" in w]
    assert warned and "The seal certificate and The HTTPS CA" in warned[0]
    runner = app.test_cli_runner()
    result = runner.invoke(args=["certificates", "reissue"])
    assert result.exit_code == 0, result.output
    seal = keys.from_config(app.config)
    assert keys.named(seal.certificate) == "Harbour Skin Clinic"
    assert [keys.named(p) for p in keys.retired(seal)] == ["The Skin Clinic"]
    assert not [w for w in startup_checks(app.config) if "name another clinic" in w]
    verify = runner.invoke(args=["archive", "verify", "--full"])
    assert verify.exit_code == 0, verify.output  # sealed under the old key: still sound
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    tablet = enrolled_client(app)
    assert tablet.post("/", data=valid_form(first_name="Grace", signed_name="Grace Lovelace")) \
        .status_code == 302
    grace = next(db["submissions"].rows_where("first_name = 'Grace'"))["id"]
    with app.app_context():
        countersign(app, db, grace)  # sealed with the new key
    assert runner.invoke(args=["archive", "verify", "--full"]).exit_code == 0
    import shutil

    from conftest import BACKUP_IDENTITY
    assert runner.invoke(args=["backup", str(tmp_path / "backup")]).exit_code == 0
    second = make_app(config_for(tmp_path / "b", CLINIC_NAME="Harbour Skin Clinic"))
    for name in ("key.pem", "cert.pem"):  # the clinic's current seal key, kept apart
        shutil.copy2(Path(seal.certificate).parent / name, Path(second.config["SEAL_DIR"]) / name)
    (tmp_path / "id.txt").write_text(BACKUP_IDENTITY)
    restored = second.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup"),
                                                     "--identity", str(tmp_path / "id.txt")])
    assert restored.exit_code == 0, restored.output
    assert second.test_cli_runner().invoke(args=["archive", "verify", "--full"]).output \
        .strip().endswith("2 archived records, 0 problems")
