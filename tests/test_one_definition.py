"""A new yes/no question with its rule takes four files: definition, dictionary row, rule, case."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUESTION = '''        yes_no("recent_tattoo", "Have you had a tattoo on an area being treated in the "
               "last 4 weeks?"),
'''
ROW = '''| recent_tattoo | yes/no | a tattoo on an area being treated in the last 4 weeks |
'''
RULE = '''
[[rule]]
id = "recent-tattoo"
category = "healing"
severity = "review"
when = { field = "recent_tattoo", equals = "yes" }
message = "A tattoo in the last 4 weeks on a treatment area: {areas}."
explanation = "Fresh tattoos are still healing; needling over them risks the ink and the skin."
source = "Device labelling: do not treat over unhealed skin."
'''
CASE = '''
[[case]]
name = "a recent tattoo"
flags = ["recent-tattoo"]
status = "needs_review"
answers = { recent_tattoo = "yes" }
'''
CHECK = '''
import tomllib
from datetime import date
from consent import create_app
from consent.intake.answers import encode
from consent.intake.display import answer_sections
from consent.forms import QuestionnaireForm
from consent.intake.questionnaire import vocabulary
from consent.intake.rules import evaluate, load

app = create_app({"TESTING": True, "SECRET_KEY": "x", "WTF_CSRF_ENABLED": False,
                  "DATABASE": "unused.sqlite"})
with app.test_request_context():
    field = QuestionnaireForm()["recent_tattoo"]
    assert field.type == "RadioField" and [c.value for c in field.choices] == ["yes", "no"]
    assert "last 4 weeks" in field.label.text and "recent_tattoo" in field()
assert vocabulary()["recent_tattoo"] == {"type": "choice", "choices": ["yes", "no"]}
assert encode({"recent_tattoo": "yes"}) == {"recent_tattoo": "yes"}
ruleset = load("rules/ruleset.toml", vocabulary())
cases = tomllib.loads(open("rules/cases.toml").read())
case = [c for c in cases["case"] if c["name"] == "a recent tattoo"][0]
answers = {**cases["base"]["answers"], **case["answers"], "last_session_date": None}
result = evaluate(ruleset, answers, date(2026, 12, 1))
assert [flag.rule for flag in result.flags] == case["flags"] and result.status == case["status"]
rows = [row for _, section in answer_sections(answers, result.to_dict()) for row in section]
assert any(row["label"].startswith("Have you had a tattoo") and row["flagged"] for row in rows)
dictionary, section = {}, None
for line in open("docs/questionnaire.md").read().splitlines():
    if line.startswith("## "):
        section = line
    elif line.startswith("| ") and not line.startswith(("| field", "|---")):
        dictionary.setdefault(section, []).append(line.split("|")[1].strip())
from consent.intake.questionnaire import SECTIONS
infection = next(s for s in SECTIONS if s.key == "infection")
assert dictionary["## 3. Infection risk"] == [q.name for q in infection.questions]
print("ok")
'''



@pytest.mark.slow
def test_a_new_question_needs_only_the_definition_the_rule_set_and_a_case(tmp_path):
    for folder in ("consent", "rules", "docs"):
        shutil.copytree(ROOT / folder, tmp_path / folder,
                        ignore=shutil.ignore_patterns("__pycache__"))
    definition = tmp_path / "consent" / "intake" / "questionnaire.py"
    text = definition.read_text()
    anchor = '"your treatment?"),\n'
    definition.write_text(text.replace(anchor, anchor + QUESTION, 1))
    (tmp_path / "rules" / "ruleset.toml").write_text(
        (tmp_path / "rules" / "ruleset.toml").read_text() + RULE)
    dictionary = tmp_path / "docs" / "questionnaire.md"
    swim = next(line for line in dictionary.read_text().splitlines(keepends=True)
                if line.startswith("| swim_within_24h |"))
    dictionary.write_text(dictionary.read_text().replace(swim, swim + ROW, 1))
    (tmp_path / "rules" / "cases.toml").write_text(
        (tmp_path / "rules" / "cases.toml").read_text() + CASE)
    changed = [p for p in tmp_path.rglob("*") if p.is_file() and
               p.read_bytes() != (ROOT / p.relative_to(tmp_path)).read_bytes()]
    assert sorted(p.name for p in changed) == ["cases.toml", "questionnaire.md", "questionnaire.py",
                                               "ruleset.toml"]
    result = subprocess.run([sys.executable, "-c", CHECK], cwd=tmp_path, capture_output=True,
                            text=True, timeout=120, env={"PYTHONPATH": str(tmp_path),
                                                         "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and "ok" in result.stdout, result.stderr[-2000:]
