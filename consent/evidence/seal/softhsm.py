"""A SoftHSM2 token for the seal key, made by `flask init` outside the instance folder.

The token's files are encrypted under a PIN kept in instance/config.py: a copy of the
instance (or of its backups) holds no key, and a copy of the token folder alone no PIN.
"""
import os
import secrets
import shutil
import subprocess
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"  # Debian's and Ubuntu's softhsm2 package
UTILITY = "softhsm2-util"
MISSING = ("SoftHSM2 is not installed, and the seal key goes into a token by default: run "
           "`make run` as root once (it installs softhsm2), or `apt-get install softhsm2`; "
           "or name a hardware token (SEAL_PKCS11_MODULE) or a key file outside the instance "
           "(SEAL_KEY_FILE); docs/operations.md, \"The seal key\"")


class NotInstalled(Exception):
    """SoftHSM2 is missing on this machine."""


def default_folder():
    """Return where this user's seal tokens live: beside, never inside, any instance."""
    data = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data) / "consent" / "softhsm"


def make_token(folder):
    """Initialise a new token in folder; return the settings that name it."""
    if not (Path(MODULE).exists() and shutil.which(UTILITY)):
        raise NotInstalled(MISSING)
    folder = Path(folder)
    (folder / "tokens").mkdir(parents=True, exist_ok=True, mode=0o700)
    conf = folder / "softhsm2.conf"
    if not conf.exists():
        conf.write_text(f"directories.tokendir = {folder / 'tokens'}\n"
                        "objectstore.backend = file\nlog.level = ERROR\n")
    label, pin = f"consent-{secrets.token_hex(6)}", secrets.token_hex(16)
    # The security officer's PIN is not kept: nobody re-initialises the clinic's token.
    subprocess.run([UTILITY, "--init-token", "--free", "--label", label, "--pin", pin,
                    "--so-pin", secrets.token_hex(16)], check=True, capture_output=True,
                   env={**os.environ, "SOFTHSM2_CONF": str(conf)})
    return {"SEAL_PKCS11_MODULE": MODULE, "SEAL_PKCS11_CONF": str(conf),
            "SEAL_PKCS11_TOKEN": label, "SEAL_PKCS11_PIN": pin}


# SoftHSM2 rewrites a token's token.object in place at every login (it stores the PIN flags);
# a process killed during that write leaves the file empty, and the token, with the seal key
# in it, is gone for every process after. The file holds the label and the PIN-wrapped token
# key, nothing a login changes for good: a copy taken while it is whole restores it.
def copies_folder(conf):
    """Return where whole copies of the tokens' token.object files are kept."""
    return Path(conf).parent / "copies"


def token_folders(conf):
    """Return the token folders the configuration at conf names."""
    for line in Path(conf).read_text().splitlines():
        key, _, value = line.partition("=")
        if key.strip() == "directories.tokendir":
            return [p for p in Path(value.strip()).iterdir() if p.is_dir()]
    return []


def keep_copy(conf, label):
    """Copy the token.object of the token labelled label, once, while it is whole."""
    for folder in token_folders(conf):
        copy = copies_folder(conf) / f"{folder.name}.object"
        if copy.exists():
            continue
        data = (folder / "token.object").read_bytes()
        if label.encode() in data:
            copy.parent.mkdir(mode=0o700, exist_ok=True)
            replace(copy, data)


def restore_emptied(conf):
    """Put back every token.object that differs in size from its copy; return how many."""
    restored = 0
    for folder in token_folders(conf):
        copy = copies_folder(conf) / f"{folder.name}.object"
        target = folder / "token.object"
        if copy.exists() and target.stat().st_size != copy.stat().st_size:
            replace(target, copy.read_bytes())
            restored += 1
    return restored


def replace(path, data):
    """Write data to path whole or not at all (a temporary file renamed over it)."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb", opener=lambda p, f: os.open(p, f, 0o600)) as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
