"""The seal key out of reach: in a PKCS#11 token (SoftHSM2) or a file outside the instance."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509

from consent import create_app
from consent.evidence.seal import keys, seal_check, softhsm
from consent.instance import startup_checks
from consent.kernel.storage import connect

from conftest import CsrfClient, config_for, countersign, enrolled_client, make_app, valid_form


@pytest.fixture(scope="module")
def token():
    """Initialise a SoftHSM2 token as `init` does; return the settings naming it."""
    return softhsm.make_token(softhsm.default_folder())


def seal_one(app):
    """Seal a cleared, countersigned consent; return (db, its archived bytes)."""
    enrolled_client(app).post("/", data=valid_form(swim_within_24h="yes"))
    db = connect(app.config["DATABASE"])
    with app.app_context():
        countersign(app, db, next(db["submissions"].rows)["id"])
    entry = next(db["archive"].rows)
    return db, (Path(app.config["ARCHIVE_DIR"]) / entry["path"]).read_bytes()


def private_keys_in(folder):
    """List files under a folder that hold a private key (the HTTPS keys aside)."""
    return [path for path in Path(folder).rglob("*") if path.is_file()
            and b"PRIVATE KEY" in path.read_bytes() and path.parent.name != "tls"]


@pytest.mark.slow
def test_the_seal_key_is_made_in_the_token_and_never_leaves_it(tmp_path, token):
    app = make_app(config_for(tmp_path / "instance", **token, SEAL_PKCS11_KEY="first"))
    assert private_keys_in(tmp_path) == []
    seal_keys = keys.from_config(app.config)
    from pkcs11 import Attribute, ObjectClass
    [private] = keys.token_session(seal_keys).get_objects(
        {Attribute.CLASS: ObjectClass.PRIVATE_KEY, Attribute.LABEL: seal_keys.pkcs11_key})
    assert private[Attribute.EXTRACTABLE] is False and private[Attribute.SENSITIVE] is True
    cert = x509.load_pem_x509_certificate(Path(seal_keys.certificate).read_bytes())
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    db, data = seal_one(app)
    assert seal_check.check(data, seal_keys).problems == []
    result = app.test_cli_runner().invoke(args=["archive", "verify"])
    assert result.exit_code == 0, result.output  # checkpoints were signed by the token too
    assert not any("seal key lies in the instance" in w for w in startup_checks(app.config))


def test_a_copied_instance_without_the_token_cannot_seal(tmp_path, token):
    app = make_app(config_for(tmp_path / "instance", **token, SEAL_PKCS11_KEY="second"))
    thief = make_app(config_for(tmp_path / "instance"))  # same folder, no token
    with pytest.raises(FileNotFoundError):
        keys.sign_bytes(b"a forged checkpoint", keys.from_config(thief.config))
    assert keys.signature_holds(b"x", keys.sign_bytes(b"x", keys.from_config(app.config)),
                                keys.from_config(thief.config))


def test_a_login_cut_short_does_not_lose_the_seal_key(tmp_path, token):
    app = make_app(config_for(tmp_path / "instance", **token, SEAL_PKCS11_KEY="cut"))
    seal_keys = keys.from_config(app.config)
    assert keys.sign_bytes(b"before", seal_keys)  # a session: the token's file is copied
    conf, label = token["SEAL_PKCS11_CONF"], token["SEAL_PKCS11_TOKEN"].encode()
    [folder] = [f for f in softhsm.token_folders(conf)
                if label in (f / "token.object").read_bytes()]
    whole = (folder / "token.object").read_bytes()
    # SoftHSM2 rewrites this file in place at each login; kill -9 mid-write leaves it empty
    (folder / "token.object").write_bytes(b"")
    import pkcs11
    keys.rescan(pkcs11.lib(seal_keys.pkcs11_module))  # as the next process finds the token
    assert keys.sign_bytes(b"after", seal_keys)
    assert (folder / "token.object").read_bytes() == whole


@pytest.mark.slow
def test_a_key_file_outside_the_instance_is_made_for_the_service_user_alone(tmp_path):
    outside = tmp_path / "secrets" / "seal-key.pem"
    app = make_app(config_for(tmp_path / "instance", SEAL_KEY_FILE=str(outside)))
    assert outside.stat().st_mode & 0o777 == 0o600
    assert private_keys_in(tmp_path / "instance") == []
    db, data = seal_one(app)
    assert seal_check.check(data, keys.from_config(app.config)).problems == []
    assert not any("seal key lies in the instance" in w for w in startup_checks(app.config))
    backup = tmp_path / "backup"
    result = app.test_cli_runner().invoke(args=["backup", str(backup)])
    assert result.exit_code == 0, result.output
    assert b"PRIVATE KEY" not in b"".join(p.read_bytes() for p in backup.rglob("*") if p.is_file())


def test_a_key_inside_the_instance_is_warned_about(app):
    assert app.config["SEAL_KEY_IN_INSTANCE"]  # the tests' demonstration setting
    assert any("seal key lies in the instance" in w and "demonstration" in w
               for w in startup_checks(app.config))


@pytest.mark.slow
def test_init_makes_the_seal_key_in_a_token_outside_the_instance(tmp_path):
    instance = tmp_path / "instance"
    init = [sys.executable, "-m", "flask", "--app", "consent", "init", "--clinic-name",
            "Elm Clinic"]  # as `make run` does, in a process of its own
    env = {**os.environ, "CONSENT_INSTANCE": str(instance)}
    made = subprocess.run(init, env=env, capture_output=True, text=True, check=True).stdout
    assert "Made the SoftHSM2 token" in made and "seal key lies in the instance" not in made
    assert private_keys_in(instance) == [] and not (instance / "seal" / "key.pem").exists()
    settings = (instance / "config.py").read_text()
    assert "SEAL_PKCS11_TOKEN = 'consent-" in settings
    again = subprocess.run(init[:-2], env=env, capture_output=True, text=True,
                           check=True).stdout
    assert "token" not in again and (instance / "config.py").read_text() == settings
    app = create_app()  # the instance as configured: no test settings
    app.test_client_class = CsrfClient
    assert keys.from_config(app.config).in_token
    db, data = seal_one(app)
    assert seal_check.check(data, keys.from_config(app.config)).problems == []
    assert not any("seal key lies" in w for w in startup_checks(app.config))


def test_init_without_softhsm_stops_with_what_to_do_and_makes_no_key(tmp_path, monkeypatch):
    monkeypatch.setattr(softhsm, "MODULE", str(tmp_path / "no-such-module.so"))
    result = create_app().test_cli_runner().invoke(args=["init", "--clinic-name", "Elm Clinic"])
    assert result.exit_code != 0 and "SoftHSM2 is not installed" in result.output
    assert "apt-get install softhsm2" in result.output
    assert private_keys_in(tmp_path) == [] and "\nSEAL_PKCS11" not in (
        tmp_path / "instance" / "config.py").read_text()


def test_an_instance_made_with_its_key_inside_keeps_it_and_is_warned(tmp_path):
    before = make_app(config_for(tmp_path / "instance"))  # made before tokens were the default
    signed = keys.sign_bytes(b"x", keys.from_config(before.config))
    after = make_app(config_for(tmp_path / "instance", SEAL_KEY_IN_INSTANCE=False))
    assert not keys.from_config(after.config).in_token
    assert keys.signature_holds(b"x", signed, keys.from_config(after.config))
    assert any("seal key lies in the instance" in w for w in startup_checks(after.config))


def test_a_second_key_under_the_same_label_is_refused(tmp_path, token):
    make_app(config_for(tmp_path / "one", **token, SEAL_PKCS11_KEY="twice"))
    with pytest.raises(ValueError, match="already holds a key labelled 'twice'"):
        make_app(config_for(tmp_path / "two", **token, SEAL_PKCS11_KEY="twice"))


@pytest.mark.parametrize("in_token", [False, True], ids=["file", "token"])
@pytest.mark.slow
def test_each_seal_names_its_certificate_in_its_signed_attributes(tmp_path, token, in_token):
    import hashlib
    from io import BytesIO

    from pyhanko.pdf_utils.reader import PdfFileReader
    extra = token if in_token else {"SEAL_KEY_FILE": str(tmp_path / "keys" / "seal.pem")}
    app = make_app(config_for(tmp_path / "instance", **extra))
    db, data = seal_one(app)
    (signature,) = PdfFileReader(BytesIO(data)).embedded_signatures
    attrs = {a["type"].native: a["values"] for a in signature.signer_info["signed_attrs"]}
    assert "signing_time" not in attrs  # PAdES: the time is the seal's /M and the TSA's
    (essid,) = attrs["signing_certificate_v2"][0]["certs"]
    assert essid["cert_hash"].native == hashlib.sha256(signature.signer_cert.dump()).digest()
    # The same set pyHanko's PAdES default gave before the attribute was cached.
    assert set(attrs) == {"content_type", "message_digest", "signing_certificate_v2"}
    db.conn.close()
