"""The languages a patient may read, from the gettext catalogues in consent/translations/.

English is the clinic's language: every source text is written in it, staff read it, and
each sealed record prints it beside the patient's language. Each catalogue's header comment
says who translated it and who approved it; a language is approved only when a qualified
medical translator and the clinic's doctor both have.
"""
import functools
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_skeleton, format_time
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from . import clock

CATALOGUES = Path(__file__).resolve().parent.parent / "translations"
DOMAIN = "messages"
CLINIC = "en"  # the language the clinic writes in: the source of every text
NOT_YET = ("", "none", "no", "pending")  # an approval not yet given
STATUS_LINE = re.compile(r"^#\s*([A-Za-z -]+):\s*(.*)$")


def N_(text):
    """Mark words a patient reads for translation; return them unchanged (gettext_noop)."""
    return text


@dataclass(frozen=True)
class Language:
    """One language a patient may choose, with who vouches for its words."""

    code: str
    translated_by: str = ""
    translator_approval: str = ""  # the qualified medical translator who approved it
    doctor_approval: str = ""  # the clinic's doctor who approved it

    @property
    def name(self):
        """Return the language's name in its own words (what a patient looks for)."""
        name = Locale.parse(self.code).get_display_name(self.code)
        return name[:1].upper() + name[1:]

    @property
    def direction(self):
        """Return "rtl" or "ltr", the HTML dir of text in this language."""
        return code_direction(self.code)

    @property
    def approved(self):
        """Tell whether a medical translator and the clinic's doctor approved it."""
        return all(v.strip().lower() not in NOT_YET
                   for v in (self.translator_approval, self.doctor_approval))

    @property
    def stage(self):
        """Return "approved" or "draft": what a record made in this language says."""
        return "approved" if self.code == CLINIC or self.approved else "draft"

    @property
    def status(self):
        """Say in the clinic's words how far the translation has been checked."""
        if self.stage == "approved":
            return "approved"
        return "draft awaiting a medical translator's and the clinic's doctor's approval"


def status_of(header_comment):
    """Read the status lines of a catalogue's header comment into a dict."""
    lines = (STATUS_LINE.match(line) for line in header_comment.splitlines())
    return {m[1].strip().lower(): m[2].strip() for m in lines if m}


def catalogue_path(code):
    """Return the path of a language's editable catalogue (.po)."""
    return CATALOGUES / code / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def shipped():
    """Return every language a catalogue exists for, the clinic's first, by code."""
    found = {CLINIC: Language(CLINIC, "the clinic", "source text", "source text")}
    for po in sorted(CATALOGUES.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        code = po.parent.parent.name
        with po.open("rb") as f:
            status = status_of(read_po(f).header_comment)
        found[code] = Language(code, status.get("translated by", ""),
                               status.get("medical translator approval", ""),
                               status.get("doctor approval", ""))
    return found


def offered(enabled=()):
    """Return the languages patients may choose: approved ones and those the clinic enabled."""
    return {code: lang for code, lang in shipped().items()
            if code == CLINIC or lang.approved or code in enabled}


@functools.cache
def translator(code):
    """Return the gettext translations of one language (the source text for the clinic's)."""
    if code == CLINIC:
        return NullTranslations()
    return Translations.load(str(CATALOGUES), [code], DOMAIN)


def isolated(text, language):
    """Keep a phone number or code left to right inside right-to-left text (Unicode LRI..PDI).

    Without it "01234 567890" in an Arabic sentence reads "567890 01234".
    """
    rtl = code_direction(language) == "rtl"
    return f"\u2066{text}\u2069" if text and rtl else text


def code_direction(language):
    """Return the writing direction of a language code, shipped or not."""
    return "rtl" if Locale.parse(language).character_order == "right-to-left" else "ltr"


def spoken_in(language, text, tz):
    """Say an ISO date or moment in a language, as clock.spoken says it in the clinic's."""
    if language == CLINIC or not text:
        return clock.spoken(text, tz)
    try:
        if len(text) == 7:  # a month alone: never a day the patient did not give
            return format_skeleton("yMMMM", clock.parse_date(text), locale=language)
        if len(text) == 10:
            return format_date(date.fromisoformat(text), "long", locale=language)
        moment = datetime.fromisoformat(text).astimezone(ZoneInfo(tz))
    except (TypeError, ValueError):
        return text
    return f"{format_date(moment, 'long', locale=language)}, " \
           f"{format_time(moment, 'HH:mm', locale=language)}"
