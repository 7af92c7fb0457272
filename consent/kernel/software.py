"""What this software is (its version) and where its shipped templates are."""
from importlib import resources
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

# Found by the package's name, not by this file's place, so modules can move freely.
TEMPLATES = Path(str(resources.files("consent") / "templates"))


def installed_version():
    """Return this software's version as installed (printed on every sealed record)."""
    try:
        return version("consent")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown"


VERSION = installed_version()
