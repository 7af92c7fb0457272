"""The clinic's reaction signs: what each triages, in every language, here and in the browser."""
import json
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from consent.kernel.languages import CLINIC, shipped
from consent.visits import reactions

SIGNS_FILE = Path(__file__).parents[2] / "rules" / "reaction_signs.toml"
SIGNS = reactions.load_signs(SIGNS_FILE)

# What patients write, and the level the clinic's signs give it. Each sign has words in
# every shipped language (drafts, see rules/reaction_signs.toml); the calm lines sit next to
# them: a nearby word that is not a sign must not tell a patient to call 999, nor page the
# clinic.
CASES = [
    ("My cheek has gone white where she injected", "emergency"),
    ("the skin looks pale and blanched", "emergency"),
    ("a dusky, bluish patch next to my nose", "emergency"),
    ("mottled purple net on the forehead", "emergency"),
    ("Severe pain at the injection site", "emergency"),
    ("my vision is blurred in the left eye", "emergency"),
    ("My lips are swelling up", "emergency"),
    ("swollen tongue and difficulty breathing", "emergency"),
    ("It feels hard to swallow", "emergency"),
    ("I have a fever since last night", "urgent"),
    ("Redness spreading down my cheek", "urgent"),
    ("There is pus in two spots", "urgent"),
    ("Redness and small bumps that are getting worse", "urgent"),
    ("The swelling and heat increase every day", "urgent"),
    ("A little itchy, mild redness as expected", None),
    ("a few whiteheads on my chin", None),
    ("Small bump near the ear", None),
    # Spanish
    ("La piel de la mejilla está pálida", "emergency"),
    ("Tengo una mancha azulada junto a la nariz", "emergency"),
    ("Un dolor insoportable en la frente", "emergency"),
    ("Veo borroso del ojo izquierdo", "emergency"),
    ("Se me hinchan los labios y me cuesta respirar", "emergency"),
    ("Tengo fiebre y escalofríos desde anoche", "urgent"),
    ("Me siento mal y he vomitado", "urgent"),
    ("El enrojecimiento se extiende hacia el cuello", "urgent"),
    ("Hay pus en dos granos", "urgent"),
    ("Me duele la mejilla", "urgent"),
    ("Un poco de enrojecimiento, como me dijeron", None),
    ("La enfermera me puso crema", None),  # "nurse", "put": not ill, not pus
    ("Me pica un poco la cara", None),
    # Polish
    ("Policzek zrobił się biały i zimny", "emergency"),
    ("Skóra jest sina przy nosie", "emergency"),
    ("Ból nie do zniesienia", "emergency"),
    ("Mam rozmazany wzrok", "emergency"),
    ("Wargi mi spuchły i ciężko oddychać", "emergency"),
    ("Ślepnę na lewe oko", "emergency"),
    ("Mam gorączkę i dreszcze", "urgent"),
    ("Czuję się źle od rana", "urgent"),
    ("Zaczerwienienie się rozlewa, jest coraz gorzej", "urgent"),
    ("Z dwóch krostek sączy się ropa", "urgent"),
    ("Boli mnie policzek", "urgent"),
    ("Widzę lekkie zaczerwienienie", None),  # "I see": not a change in vision
    ("Trochę swędzi", None),
    # Arabic: the joined "and" and "the" must not hide a sign
    ("الجلد شاحب بجانب الأنف", "emergency"),
    ("الرؤية ضبابية في العين اليسرى", "emergency"),
    ("وتنفسي صعب", "emergency"),
    ("لدي ضيق في التنفس", "emergency"),
    ("ألم شديد في الجبهة", "emergency"),
    ("لدي حمى وقشعريرة", "urgent"),
    ("الاحمرار ينتشر نحو الرقبة", "urgent"),
    ("يخرج صديد من نقطتين", "urgent"),
    ("الخد يؤلمني", "urgent"),
    ("بصراحة احمرار بسيط", None),  # "frankly" begins as "sight" does
    ("المنطقة حمراء قليلا", None),  # "the area": al-m..., not "pain" (alif with hamza)
    ("احمرار خفيف كما هو متوقع", None),
]


@pytest.mark.parametrize("words, level", CASES)
def test_reaction_words_are_triaged_by_the_clinics_signs(words, level):
    found, names = reactions.triage(SIGNS, words)
    assert found == level and bool(names) == bool(level), names


def test_every_sign_names_a_source_and_a_broken_file_is_refused(tmp_path):
    assert {s.level for s in SIGNS} == {"urgent", "emergency"} and all(s.source for s in SIGNS)
    broken = tmp_path / "signs.toml"
    broken.write_text('[[sign]]\nname = "Lips"\nlevel = "soon"\nwords = ["lip"]\nsource = "x"\n')
    with pytest.raises(ValueError, match="Lips: level must be one of"):
        reactions.load_signs(broken)
    broken.write_text('[[sign]]\nname = "Lips"\nlevel = "urgent"\nwords = ["lip"]\n'
                      'source = "x"\n[sign.words_in]\npl = []\n')
    with pytest.raises(ValueError, match="Lips: every list of words needs at least one"):
        reactions.load_signs(broken)


def test_every_sign_has_words_in_every_shipped_language():
    others = set(shipped()) - {CLINIC}
    for entry in tomllib.loads(SIGNS_FILE.read_text())["sign"]:
        assert set(entry.get("words_in", {})) >= others, entry["name"]


# The reaction form's own expressions (reaction.js), run by Node's engine, which is V8 as in
# Chromium: the patient sees "call 999" for exactly what the server calls an emergency.
BROWSER = """
const [patterns, lines] = JSON.parse(require("fs").readFileSync(0, "utf8"));
const signs = patterns.map((p) => new RegExp(p, "iu"));
console.log(JSON.stringify(lines.map((line) => signs.some((sign) => sign.test(line)))));
"""


@pytest.mark.slow
def test_the_browser_hints_at_an_emergency_exactly_where_the_server_finds_one():
    node = shutil.which("node")
    if node is None:
        pytest.fail("Node.js is missing: `make test` installs npm, which brings it")
    emergency = [s.browser_pattern for s in SIGNS if s.level == "emergency"]
    lines = [words for words, _ in CASES]
    out = subprocess.run([node, "-e", BROWSER], input=json.dumps([emergency, lines]),
                         capture_output=True, text=True, check=True).stdout
    assert json.loads(out) == [level == "emergency" for _, level in CASES]
