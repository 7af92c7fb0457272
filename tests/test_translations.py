"""Every word a patient reads exists in every shipped language, with the same blanks."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from consent.kernel.languages import CLINIC, catalogue_path, shipped, translator

ROOT = Path(__file__).resolve().parent.parent
LANGUAGES = [code for code in shipped() if code != CLINIC]
# Blanks a translation must keep: %(name)s, {name}, and the markup some lines carry.
BLANKS = re.compile(r"%\(\w+\)s|\{\w+\}|</?\w+>")


def extracted():
    """Extract, as `make messages` does, every message a patient may read: {(context, id)}."""
    with open(ROOT / "babel.cfg") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    found = set()
    for _, _, message, _, context in extract_from_dir(ROOT, method_map, options_map, keywords):
        found.add((context, message if isinstance(message, str) else message[0]))
    return found


def catalogue(code):
    """Read one language's catalogue."""
    with open(catalogue_path(code), "rb") as f:
        return read_po(f, locale=code)


def translated(message):
    """Return every form of a message's translation ([] when it has none or is fuzzy)."""
    forms = message.string if isinstance(message.string, (list, tuple)) else [message.string]
    return [] if message.fuzzy else list(forms)


def test_three_languages_ship_beside_the_clinics():
    assert set(LANGUAGES) == {"es", "pl", "ar"}


@pytest.mark.slow
@pytest.mark.parametrize("code", LANGUAGES)
def test_every_patient_facing_message_is_translated(code):
    wanted = extracted()
    assert len(wanted) > 350  # the questionnaire, the catalogue, the rules' lines, the pages
    have = {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m
            for m in catalogue(code) if m.id}
    missing = sorted(str(key) for key in wanted if key not in have or
                     not all(translated(have[key])))
    assert not missing, f"{code}: {len(missing)} untranslated, first {missing[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_translation_keeps_the_blanks_of_its_source(code):
    for m in catalogue(code):
        if not m.id:
            continue
        ids = [m.id] if isinstance(m.id, str) else list(m.id)
        source = set().union(*(BLANKS.findall(i) for i in ids))
        for form in translated(m):
            assert set(BLANKS.findall(form)) <= source, (code, m.id, form)
            if isinstance(m.id, str):  # a plural's singular may leave the count out
                assert set(BLANKS.findall(form)) == source, (code, m.id, form)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalogue_says_what_the_editable_one_does(code):
    words = translator(code)
    for m in catalogue(code):
        if m.id and isinstance(m.id, str) and not m.context and m.string:
            assert words.gettext(m.id) == m.string, "run `make translations`"


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_catalogue_says_who_translated_it_and_is_a_draft_until_approved(code):
    language = shipped()[code]
    assert "Claude" in language.translated_by
    assert not language.approved and language.stage == "draft"
