"""The treatment information: one file the tablet shows and every consent PDF prints.

Each version a patient answered under is kept in the database by its SHA-256, so a consent
sealed later prints the words that patient read, even if the clinic has edited the file.
"""
import functools
import hashlib
import os

from ..kernel.software import TEMPLATES

NAME = "treatment_information.html"


def current():
    """Return (SHA-256, source) of the information as the file is now."""
    stat = os.stat(TEMPLATES / NAME)
    return read(stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=4)
def read(mtime_ns, size):
    """Read and hash the file once per version of it on disk."""
    source = (TEMPLATES / NAME).read_text()
    return hashlib.sha256(source.encode()).hexdigest(), source


def sha256():
    """Return the SHA-256 of the information's bytes: its version, proved on every record."""
    return current()[0]


def keep(db, now):
    """Store the current version (once) and return its SHA-256; the caller holds the lock."""
    digest, source = current()
    db.execute("insert or ignore into information_texts (sha256, source, stored_at) "
               "values (?, ?, ?)", [digest, source, now])
    return digest


def version(db, digest):
    """Return the source of the version with this SHA-256, or None if it was never kept."""
    row = next(db["information_texts"].rows_where("sha256 = ?", [digest or ""]), None)
    return row and row["source"]


def sections(html, *titles):
    """Cut the parts headed by these h3 titles out of the rendered information, in order."""
    parts = html.split("<h3>")
    kept = [part for part in parts[1:] if part.split("</h3>", 1)[0].strip() in titles]
    # The last kept part may run on to the information's closing tag.
    return "".join("<h3>" + part.split("</div>", 1)[0] for part in kept)
