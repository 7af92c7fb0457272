"""`flask translations`: the languages patients read; and the extractors `pybabel` uses.

`make translations` runs `pybabel extract` with babel.cfg: these extractors find the words
a patient reads in the declarations (the questionnaire and the clinic's TOML files), which
are data, not gettext calls.
"""
import tomllib

import click
from flask import current_app
from flask.cli import AppGroup

from ..kernel.languages import offered, shipped

translations_cli = AppGroup("translations", help="The languages patients may read.")


def line_of(lines, text):
    """Return the first line a declared text starts on (1-based), or 0."""
    start = text[:30]
    return next((n for n, line in enumerate(lines, 1) if start in line), 0)


def questionnaire_words(fileobj, keywords, comment_tags, options):
    """Yield every text the questionnaire declares for patients (a Babel extractor)."""
    from ..intake.questionnaire import SECTIONS
    lines = fileobj.read().decode().splitlines()
    for section in SECTIONS:
        yield line_of(lines, section.title), None, section.title, [f"screen {section.key}"]
        for q in section.questions:
            for what, text in (("question", q.label), ("hint", q.hint),
                               ("message", q.required)):
                if text:
                    yield line_of(lines, text), None, text, [f"{q.name}: {what}"]
            for value, label in q.choices:
                yield line_of(lines, label), None, label, [f"{q.name} = {value}"]


def found(node, path):
    """Yield the strings at a dotted path of TOML data; arrays and `*` walk every item."""
    if isinstance(node, list):
        for item in node:
            yield from found(item, path)
    elif not path:
        if isinstance(node, str):
            yield node
    elif isinstance(node, dict):
        keys = node if path[0] == "*" else [path[0]] if path[0] in node else []
        for key in keys:
            yield from found(node[key], path[1:])


def toml_words(fileobj, keywords, comment_tags, options):
    """Yield the texts at the dotted `keys` of a TOML file (a Babel extractor)."""
    raw = fileobj.read().decode()
    lines = raw.splitlines()
    for path in options["keys"].split():
        for text in found(tomllib.loads(raw), path.split(".")):
            yield line_of(lines, text), None, text, [path]


@translations_cli.command("status")
def status_command():
    """List each language, who translated it, and whether patients are offered it."""
    chosen = offered(current_app.config["PATIENT_LANGUAGES_ENABLED"])
    for code, language in shipped().items():
        offer = "offered" if code in chosen else "not offered"
        click.echo(f"{code} {language.name}: {language.status}; translated by "
                   f"{language.translated_by or 'unknown'}; {offer}")


COMMANDS = [translations_cli]
