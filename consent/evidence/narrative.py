"""The human-readable summary every FHIR resource carries (its narrative)."""
from html import escape


def narrative(text):
    """Return a generated narrative: one paragraph of escaped text, in XHTML."""
    return {"status": "generated",
            "div": f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{escape(text)}</p></div>'}
