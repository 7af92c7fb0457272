"""Medicines read through the drug vocabulary: brands, misspellings, negations, the class table."""
import json
import subprocess
import sys
from pathlib import Path

import pytest

from consent.intake import medicines
from consent.intake.medicines import MedicineError, load

VOCABULARY = load()


@pytest.mark.parametrize("text, named, negated", [
    ("Xarelto 20 mg", [("Xarelto", "rivaroxaban")], False),
    ("Eliquis 5mg bd", [("Eliquis", "apixaban")], False),
    ("Clexane injections", [("Clexane", "enoxaparin")], False),
    ("fragmin after my hip operation", [("fragmin", "dalteparin")], False),
    ("Nurofen Express", [("Nurofen", "ibuprofen")], False),
    ("warfrin", [("warfrin", "warfarin")], False),  # one letter missing
    ("Warfarni", [("Warfarni", "warfarin")], False),  # two letters swapped
    ("bayer aspirin", [("bayer aspirin", "aspirin")], False),  # a name of two words
    ("methotrexate weekly", [("methotrexate", "methotrexate")], False),
    ("Roaccutane last year", [("Roaccutane", "isotretinoin capsules")], False),
    ("no aspirin", [("aspirin", "aspirin")], True),
    ("aspirin-free", [("aspirin", "aspirin")], True),
    ("aspirin free tablets", [("aspirin", "aspirin")], True),
    ("never taken Roaccutane", [("Roaccutane", "isotretinoin capsules")], True),
    ("don't take ibuprofen", [("ibuprofen", "ibuprofen")], True),
    ("allergic to ibuprofen", [("ibuprofen", "ibuprofen")], True),
    ("not on warfarin or aspirin", [("warfarin", "warfarin"), ("aspirin", "aspirin")], True),
    ("not on blood thinners", [], None),
    ("paracetamol, metformin, twice daily", [], None),  # not in any class, no near miss
    ("warfxyn", [], None),  # two letters off: not a name
    ("vitamin", [], None),  # short ordinary words never match by a slip
])
def test_names_resolve_to_the_generic_and_negations_are_seen(text, named, negated):
    found = VOCABULARY.mentions(text)
    assert [(m.words, m.medicine) for m in found] == named
    assert all(m.negated is negated for m in found)


@pytest.mark.parametrize("text, negated", [
    ("no rash, takes warfarin", False),  # a negation ends with its clause
    ("no other medicines apart from warfarin", False),  # too far to reach the name
    ("not sure; warfarin I think", False),
    ("nothing but warfarin", False),
])
def test_a_negation_reaches_only_what_it_governs(text, negated):
    [mention] = VOCABULARY.mentions(text)
    assert mention.negated is negated


def test_each_mention_says_its_classes():
    [mention] = VOCABULARY.mentions("doxycycline 100mg")
    assert mention.classes == ("photosensitising",)
    assert VOCABULARY.classes["anticoagulants"].question == "anticoagulants"
    assert any(a.startswith("B01AB") for a in VOCABULARY.classes["anticoagulants"].atc)


def test_a_class_medicine_the_vocabulary_lacks_is_refused_by_name(tmp_path):
    classes = tmp_path / "classes.toml"
    classes.write_text(medicines.CLASSES_FILE.read_text().replace('"warfarin", ',
                                                                  '"warfarin", "warfarinex", '))
    with pytest.raises(MedicineError, match="warfarinex"):
        load(classes)
    classes.write_text('[[class]]\nid = "x"\nname = "x"\nquestion = ""\natc = []\n'
                       'medicines = ["aspirin"]\n')
    with pytest.raises(MedicineError, match="needs medicines and ATC groups"):
        load(classes)


def test_the_check_command_lists_the_classes(runner):
    result = runner.invoke(args=["medicines", "check"])
    assert result.exit_code == 0 and "Medicine classes: 7" in result.output
    assert "photosensitising: 6 medicines; no question: always noted" in result.output


@pytest.mark.slow
def test_the_shipped_names_are_what_the_installed_vocabulary_gives(tmp_path):
    # The refresh loads 20,000 drugs (350 MB): in a process of its own, as a clinic runs it.
    out = tmp_path / "vocabulary.json"
    flask = Path(sys.executable).with_name("flask")
    result = subprocess.run([flask, "--app", "consent", "medicines", "refresh", "--out", out],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text()) == json.loads(medicines.VOCABULARY_FILE.read_text()), \
        "run `flask --app consent medicines refresh` and review the change"
