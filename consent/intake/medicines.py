"""Medicines a patient names in free text, recognised through a drug vocabulary.

The classes the questionnaire asks about are the clinic's data (rules/medicine_classes.toml).
Each class's brand names, synonyms and foreign spellings come from a maintained vocabulary
(drug-named-entity-recognition): `flask medicines refresh` derives rules/medicine_vocabulary.json
from it, so the service reads a small file and never loads the whole vocabulary (350 MB).
"""
import json
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

RULES = Path(str(resources.files("consent"))).parent / "rules"
CLASSES_FILE, VOCABULARY_FILE = RULES / "medicine_classes.toml", RULES / "medicine_vocabulary.json"
WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
LONGEST = 4  # words in the longest name looked up; longer chemical names are left out
SHORTEST = 4  # letters: shorter names ("13-RA") would match ordinary words
MISSPELT_FROM = 6  # letters: from here one letter wrong, missing, extra or swapped still matches
CUES = {"no", "not", "never", "without", "none", "nil", "non", "dont", "don't", "don’t",
        "doesnt", "doesn't", "didnt", "didn't", "avoid", "allergic", "intolerant", "free"}
# Words that may stand between a negation and what it negates: "not on warfarin or aspirin".
BETWEEN = {"on", "taking", "take", "taken", "takes", "any", "or", "and", "nor", "a", "an",
           "the", "other", "use", "used", "using", "to", "had", "have", "ever", "tablets",
           "tablet", "of"}
CLAUSE = re.compile(r"[.;:!?\n(),]|\bbut\b", re.I)


class MedicineError(ValueError):
    """The class table or the vocabulary cannot be used."""


@dataclass(frozen=True)
class MedicineClass:
    """A class of medicines the questionnaire asks about."""

    id: str
    name: str
    question: str  # the yes/no question a mention contradicts, or ""
    atc: tuple
    medicines: tuple


@dataclass(frozen=True)
class Mention:
    """Words in the patient's text that name a medicine of a class."""

    words: str
    medicine: str
    classes: tuple
    negated: bool


def load_classes(path=CLASSES_FILE):
    """Read the class table; refuse a class without medicines or a medicine in two classes."""
    try:
        entries = tomllib.loads(Path(path).read_text())["class"]
        classes = {e["id"]: MedicineClass(e["id"], e["name"], e["question"], tuple(e["atc"]),
                                          tuple(e["medicines"])) for e in entries}
    except (OSError, KeyError, TypeError, tomllib.TOMLDecodeError) as error:
        raise MedicineError(f"{path}: {error!r}") from error
    if not all(c.medicines and c.atc for c in classes.values()):
        raise MedicineError(f"{path}: every class needs medicines and ATC groups")
    return classes


def normal(name):
    """Return a name as looked up: lower case words, no digits or punctuation."""
    return " ".join(WORD.findall(name.lower().replace("’", "'")))


class Vocabulary:
    """The names each medicine goes by, ready to look up and to forgive one typing slip."""

    def __init__(self, classes, names):
        self.classes = classes
        self.of = {}  # medicine -> ids of its classes
        for c in classes.values():
            for medicine in c.medicines:
                self.of.setdefault(medicine, []).append(c.id)
        missing = set(self.of) - set(names)
        if missing:
            raise MedicineError("not in the vocabulary (run `flask medicines refresh`): "
                                + ", ".join(sorted(missing)))
        self.exact = {}
        for medicine in self.of:
            for name in [medicine, *names[medicine]]:
                key = normal(name)
                if len(key) >= SHORTEST and len(key.split()) <= LONGEST:
                    self.exact.setdefault(key, medicine)
        self.starts = {key.split()[0] for key in self.exact if " " in key}
        self.by_length = {}  # one slip changes the length by at most one: look only there
        for key in self.exact:
            if " " not in key and len(key) >= MISSPELT_FROM:
                for length in (len(key) - 1, len(key), len(key) + 1):
                    self.by_length.setdefault(length, []).append(key)

    def medicine(self, phrase):
        """Return the medicine a phrase names, allowing one slip in a long single word."""
        if phrase in self.exact:
            return self.exact[phrase]
        if " " in phrase or len(phrase) < MISSPELT_FROM:
            return None
        near = process.extractOne(phrase, self.by_length.get(len(phrase), ()),
                                  scorer=OSA.distance, score_cutoff=1)
        return near and self.exact[near[0]]

    def mentions(self, text):
        """Return every medicine of a class that the text names, each said negated or not."""
        words = [(normal(m.group()), m.start(), m.end()) for m in WORD.finditer(text or "")]
        found, taken, i = [], set(), 0
        while i < len(words):
            longest = min(LONGEST, len(words) - i) if words[i][0] in self.starts else 1
            for n in range(longest, 0, -1):
                phrase = " ".join(w for w, _, _ in words[i:i + n])
                if medicine := self.medicine(phrase):
                    start, end = words[i][1], words[i + n - 1][2]
                    found.append(Mention(text[start:end], medicine, tuple(self.of[medicine]),
                                         negated(text, words, i, i + n, taken)))
                    taken.update(range(i, i + n))
                    i += n
                    break
            else:
                i += 1
        return found


def negated(text, words, first, after, taken):
    """Say whether a negation governs words[first:after]: "no aspirin", "aspirin-free"."""
    rest = text[words[after - 1][2]:]
    if re.match(r"\s*-?\s*free\b", rest, re.I):
        return True
    for j in range(first - 1, -1, -1):
        if CLAUSE.search(text[words[j][2]:words[j + 1][1]]):
            return False  # the clause ends here: "no rash, takes warfarin"
        word = words[j][0]
        if word in CUES:
            return True
        if word not in BETWEEN and j not in taken:
            return False
    return False


def load(classes_path=CLASSES_FILE, vocabulary_path=VOCABULARY_FILE):
    """Load the class table and the derived vocabulary, checked against each other."""
    try:
        names = json.loads(Path(vocabulary_path).read_text())["medicines"]
    except (OSError, KeyError, ValueError) as error:
        raise MedicineError(f"{vocabulary_path}: {error!r}") from error
    return Vocabulary(load_classes(classes_path), names)


def derive(classes):
    """Return the vocabulary file's content for these classes, from the installed package."""
    from importlib.metadata import version

    # Loaded only here: the package holds 20,000 drugs and takes 350 MB and seconds to load.
    from drug_named_entity_recognition import drugs_finder

    wanted = {m for c in classes.values() for m in c.medicines}
    unknown = wanted - set(drugs_finder.drug_canonical_to_data)
    if unknown:
        raise MedicineError("the vocabulary has no medicine named " + ", ".join(sorted(unknown)))
    names = {m: set() for m in wanted}
    for variant, medicines in drugs_finder.drug_variant_to_canonical.items():
        for medicine in medicines:
            if medicine in names and variant != medicine:
                names[medicine].add(variant)
    return {"source": f"drug-named-entity-recognition {version('drug-named-entity-recognition')}",
            "medicines": {m: sorted(names[m]) for m in sorted(names)}}
