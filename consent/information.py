"""The treatment information: one file the tablet shows and every consent PDF prints."""
import functools
import hashlib
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent / "templates"
NAME = "treatment_information.html"


@functools.cache
def sha256():
    """Return the SHA-256 of the information's bytes: its version, proved on every record."""
    return hashlib.sha256((TEMPLATES / NAME).read_bytes()).hexdigest()
