"""Patients' names: the key that matches them across visits, and what a name may hold."""
import unicodedata

import confusables

from .languages import N_

# Letters that render as nothing: a name made of them looks blank on screen and paper.
INVISIBLE = {"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u180e"}
MAX_MARKS_PER_LETTER = 3  # enough for Vietnamese; stops "Zalgo" stacks


def name_key(first, last):
    """Normalise a name for matching: case, spacing, accents and look-alike letters ignored."""
    text = unicodedata.normalize("NFKC", f"{first} {last}")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    # Fold confusables (UTS #39 data): "Rоsalind" with a Cyrillic о is Rosalind.
    text = confusables.normalize(text, prioritize_alpha=True)[0] if text.strip() else text
    return " ".join(text.casefold().split())


def problem(text):
    """Say what makes a name unusable (invisible letters, stacked marks), or None."""
    if any(c in INVISIBLE for c in text):
        return N_("Please type your name with visible letters.")
    run = 0
    for c in unicodedata.normalize("NFD", text):
        run = run + 1 if unicodedata.combining(c) else 0
        if run > MAX_MARKS_PER_LETTER:
            return N_("Please remove the extra accent marks.")
    return None
