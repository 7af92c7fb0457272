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


def sections(html, *titles):
    """Cut the parts headed by these h3 titles out of the rendered information, in order."""
    parts = html.split("<h3>")
    kept = [part for part in parts[1:] if part.split("</h3>", 1)[0].strip() in titles]
    # The last kept part may run on to the information's closing tag.
    return "".join("<h3>" + part.split("</div>", 1)[0] for part in kept)
