import json
import os
import re
import subprocess
import sys
from datetime import date

import pytest

from consent import create_app
from consent.intake.rules import RuleSetError, evaluate, load, vocabulary
from consent.intake.rules.loader import parse

from conftest import (CASES, DATA, ROOT, RULESET, TREATED_FACE, config_for, countersign, stored,
                      treat, valid_form)

RULES = ROOT / "rules"


def run_case(case):
    """Evaluate one example case from rules/cases.toml."""
    answers = {**CASES["base"]["answers"], **case["answers"]}
    if answers["had_previous_session"] == "no":
        answers["last_session_date"], answers["last_session_areas"] = None, []
    on = date.fromisoformat(case.get("on", CASES["base"]["on"]))
    return evaluate(RULESET, answers, on, case.get("history", []))


@pytest.mark.parametrize("case", CASES["case"], ids=[c["name"] for c in CASES["case"]])
def test_example_case(case):
    result = run_case(case)
    assert sorted(flag.rule for flag in result.flags) == sorted(case["flags"])
    assert result.status == case["status"]


def test_every_rule_has_an_example_case():
    covered = {rule for case in CASES["case"] for rule in case["flags"]}
    assert {rule.id for rule in RULESET.rules} - covered == set()


def test_the_rule_set_covers_the_clinical_rule_table():
    table = ROOT / "docs" / "questionnaire.md"
    rows = table.read_text().split("## Clinical rule table")[1]
    count = sum(1 for line in rows.splitlines()
                if line.startswith("| ") and not line.startswith("| category"))
    assert len(RULESET.rules) == count > 0


def test_flag_explains_itself_with_actual_values():
    case = next(c for c in CASES["case"] if c["name"] == "last session 6 days ago on the same area")
    [flag] = run_case(case).flags
    assert flag.message == ("Last session on the face 6 days before 1 December 2026; "
                            "the minimum is 7 days.")
    assert flag.fields == ["areas", "had_previous_session", "last_session_areas",
                           "last_session_date"]
    assert (flag.category, flag.severity) == ("interval", "stop")
    assert "leaflet" in flag.source.lower() and flag.explanation


def test_partial_overlap_names_only_the_shared_area():
    case = next(c for c in CASES["case"] if c["name"] == "several areas overlapping in part")
    [flag] = run_case(case).flags
    assert "on the neck 5 days before" in flag.message


def test_evaluation_is_pure():
    case = CASES["case"][1]
    assert run_case(case) == run_case(case)
    assert run_case(case).to_dict()["ruleset"] == {"version": RULESET.version,
                                                   "sha256": RULESET.sha256}


def test_hash_ignores_comments_but_not_parameters(tmp_path):
    text = (RULES / "ruleset.toml").read_text()
    commented = tmp_path / "a.toml"
    commented.write_text("# a doctor's note\n" + text)
    assert load(commented, vocabulary()).sha256 == RULESET.sha256
    changed = tmp_path / "b.toml"
    changed.write_text(text.replace("min_interval_days = 7", "min_interval_days = 8"))
    assert load(changed, vocabulary()).sha256 != RULESET.sha256


GOOD = {"id": "r1", "category": "infection", "severity": "stop", "message": "m",
        "explanation": "e", "source": "Clinic leaflet: infection is the main risk.",
        "when": {"field": "cold_sore_now", "equals": "yes"}}
BROKEN = [
    ({"when": {"field": "cold_sores", "equals": "yes"}}, "unknown field 'cold_sores'"),
    ({"when": {"field": "cold_sore_now", "resembles": "yes"}}, "unknown operator 'resembles'"),
    ({"severity": "urgent"}, "bad severity 'urgent'"),
    ({"category": "vibes"}, "bad category 'vibes'"),
    ({"when": {"field": "cold_sore_now", "equals": "maybe"}}, "'maybe' is not a choice"),
    ({"when": {"field": "last_session_date", "days_before": {"lt": "fortnight"}}},
     "unknown parameter 'fortnight'"),
    ({"when": {"field": "cold_sore_now", "days_before": {"lt": "p"}}}, "expected date"),
    ({"message": "{nonsense}"}, "unknown value '{nonsense}'"),
    ({"when": {"all": []}}, "'all' needs a list"),
    ({"source": None}, "missing keys"),
    ({"source": "Clinical rule table."}, "source must name a real document"),
    ({"source": "Clinic policy; clinic protocols."}, "source must name a real document"),
    ({"source": ""}, "source must name a real document"),
    ({"when": {"field": "medications", "mentions_medicine": ["blood_thinners"]}},
     "unknown medicine class 'blood_thinners'"),
    ({"when": {"field": "medications", "mentions_medicine": []}},
     "needs a list of medicine classes"),
    ({"when": {"field": "diabetes", "mentions_medicine": ["anticoagulants"]}},
     "expected text"),
]


@pytest.mark.parametrize("change, message", BROKEN, ids=[m for _, m in BROKEN])
def test_broken_rule_is_refused_naming_the_rule(change, message):
    rule = {k: v for k, v in {**GOOD, **change}.items() if v is not None}
    with pytest.raises(RuleSetError) as error:
        parse({"version": "1", "parameters": {"p": 1}, "rule": [GOOD | {"id": "ok"}, rule]},
              vocabulary())
    assert str(error.value).startswith("rule r1: ") and message in str(error.value)


@pytest.mark.slow
def test_the_app_refuses_to_start_on_an_invalid_rule_set(tmp_path):
    bad = tmp_path / "rules.toml"
    bad.write_text('version = "x"\n[[rule]]\nid = "oops"\n')
    (tmp_path / "config.py").write_text(f"SECRET_KEY = 'x'\nRULES_FILE = {str(bad)!r}\n")
    started = subprocess.run([sys.executable, "-c", "import wsgi"], capture_output=True,
                             text=True, cwd=ROOT, env={**os.environ,
                                                       "CONSENT_INSTANCE": str(tmp_path)})
    assert started.returncode != 0
    assert started.stderr.strip().endswith("Invalid rule set: rule oops: missing keys "
                                           "['category', 'explanation', 'message', "
                                           "'severity', 'source', 'when']")
    app = create_app(config_for(tmp_path, RULES_FILE=str(bad)))
    assert app.test_client().get("/login").status_code == 503
    checked = app.test_cli_runner().invoke(args=["rules", "check"])
    assert checked.exit_code == 1 and "Error: rule oops: missing keys" in checked.output
    assert "Traceback" not in checked.output


IFU = "Dermapen 4 instructions for use, version named for the tests"


def test_cli_check(app, runner, tmp_path):
    app.config["DEVICE_INSTRUCTIONS"] = IFU
    result = runner.invoke(args=["rules", "check"])
    assert result.exit_code == 0 and f"{len(RULESET.rules)} rules" in result.output
    bad = tmp_path / "bad.toml"
    bad.write_text((RULES / "ruleset.toml").read_text().replace('equals = "current"',
                                                                'equals = "sometimes"'))
    result = runner.invoke(args=["rules", "check", "--file", str(bad)])
    assert result.exit_code == 1
    assert "Error: rule isotretinoin-current: 'sometimes' is not a choice" in result.output


def test_a_source_resting_on_an_unnamed_device_is_refused(app, runner, tmp_path):
    unnamed = runner.invoke(args=["rules", "check"])  # the shipped placeholder
    assert unnamed.exit_code == 1 and "has not named its device: set DEVICE_INSTRUCTIONS" in \
        unnamed.output
    bare = tmp_path / "bare.toml"
    bare.write_text((RULES / "ruleset.toml").read_text().replace(
        'source = "Device labelling: {instructions}',
        "source = \"Device labelling: the device's instructions for use", 1))
    refused = runner.invoke(args=["rules", "check", "--file", str(bare)])
    assert refused.exit_code == 1 and "cites them as {instructions}" in refused.output
    from consent.intake.rules import load
    named = load(RULES / "ruleset.toml", vocabulary(), IFU)
    resting = [rule for rule in named.rules if IFU in rule.source]
    assert len(resting) == 28 and not [r for r in named.rules if "{instructions}" in r.source]
    assert named.sha256 == RULESET.sha256  # the rule set is the same file, whoever names it


def cli_answers(tmp_path, **changes):
    answers = {**CASES["base"]["answers"], "last_session_date": None, **changes}
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers))
    return str(path)


def test_cli_eval_prints_the_evaluation(runner, tmp_path):
    path = cli_answers(tmp_path, had_previous_session="yes", last_session_date="2026-11-26",
                       last_session_areas=["face"])
    result = runner.invoke(args=["rules", "eval", path, "--on", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {
        "status": "needs_review",
        "ruleset": {"version": RULESET.version, "sha256": RULESET.sha256},
        "flags": [{"rule": "interval-too-soon", "category": "interval", "severity": "stop",
                   "fields": ["areas", "had_previous_session", "last_session_areas",
                              "last_session_date"],
                   "message": "Last session on the face 5 days before 1 December 2026; "
                              "the minimum is 7 days.",
                   "explanation": "The skin needs time to heal: no more than one session a "
                                  "week on the same area.",
                   "source": "Clinic leaflet: never more often than once a week on a "
                             "particular area.",
                   "aftercare": ""}]}


def test_cli_eval_takes_the_clinics_history_from_a_file(runner, tmp_path):
    history = tmp_path / "history.json"
    history.write_text(json.dumps([{"date": "2026-11-28", "areas": ["neck", "hands"]}]))
    result = runner.invoke(args=["rules", "eval", cli_answers(tmp_path), "--on", "2026-12-01",
                                 "--history", str(history)])
    assert result.exit_code == 0, result.output
    [flag] = json.loads(result.output)["flags"]
    assert flag["rule"] == "interval-clinic-record" and "neck, 3 days before" in flag["message"]
    history.write_text('[{"date": "last week"}]')
    refused = runner.invoke(args=["rules", "eval", cli_answers(tmp_path), "--history",
                                  str(history)])
    assert refused.exit_code == 2 and "--history: a JSON list" in refused.output


@pytest.mark.parametrize("changes, field", [
    ({"diabetes": "sometimes"}, "diabetes"),
    ({"areas": "face"}, "areas"),
    ({"colour": "blue"}, "colour"),
    ({"date_of_birth": "yesterday"}, "date_of_birth"),
    ({"cold_sore_now": 1}, "cold_sore_now"),
])
def test_cli_eval_refuses_bad_answers(runner, tmp_path, changes, field):
    result = runner.invoke(args=["rules", "eval", cli_answers(tmp_path, **changes)])
    assert result.exit_code == 2
    assert f"Invalid answers: {field}" in result.output


def test_submission_stores_its_evaluation(client, db):
    client.post("/", data=valid_form(cold_sore_now="yes"))
    [row] = stored(db)
    evaluation = json.loads(row["evaluation"])
    assert row["status"] == evaluation["status"] == "needs_review"
    assert [f["rule"] for f in evaluation["flags"]] == ["cold-sore-now-face"]
    assert (row["ruleset_version"], row["ruleset_sha256"]) == (RULESET.version, RULESET.sha256)


def statuses_after_a_second_visit(app, client, db, first_visit, **second):
    """Submit Ada, do first_visit to her submission, submit her again; return both rows."""
    client.post("/", data=valid_form())
    with app.app_context():
        first_visit(next(db["submissions"].rows)["id"])
    client.post("/", data=valid_form(first_name=" ADA ", had_previous_session="no", **second))
    return list(db["submissions"].rows_where(order_by="rowid"))


@pytest.mark.slow
def test_clinic_history_catches_a_treatment_the_patient_forgot(app, client, db):
    def treated(sid):
        countersign(app, db, sid)
        treat(app, db, sid)  # the face only, of face and neck consented
    first, second = statuses_after_a_second_visit(app, client, db, treated)
    assert first["status"] == "treated" and second["status"] == "needs_review"
    flags = json.loads(second["evaluation"])["flags"]
    assert [f["rule"] for f in flags] == ["interval-clinic-record"]
    assert flags[0]["fields"]  # it explains itself


@pytest.mark.parametrize("first_visit", ["nothing", "consented", "not_treated", "neck_only"])
@pytest.mark.slow
def test_only_recorded_treatments_of_the_same_area_count_as_sessions(app, client, db,
                                                                     first_visit):
    def act(sid):
        if first_visit == "nothing":  # the same patient fills in the form twice in a morning
            return
        countersign(app, db, sid)
        if first_visit == "not_treated":
            treat(app, db, sid, outcome="not_treated", reason="Patient felt faint.")
        elif first_visit == "neck_only":
            treat(app, db, sid, details={**TREATED_FACE, "areas": [
                {"area": "neck", "device": "Dermapen 4", "needle_depth_mm": 0.5}]})
    first, second = statuses_after_a_second_visit(app, client, db, act, areas="face")
    assert second["status"] == "awaiting_consent", json.loads(second["evaluation"])["flags"]


def test_cli_eval_reports_every_invalid_field_in_one_run(runner, tmp_path):
    result = runner.invoke(args=["rules", "eval", cli_answers(
        tmp_path, diabetes="sometimes", areas="face", colour="blue", cold_sore_now=1)])
    assert result.exit_code == 2
    said = [line for line in result.output.splitlines() if line.startswith("Invalid answers:")]
    assert {line.split(":")[1].strip() for line in said} >= {"diabetes", "areas", "colour",
                                                              "cold_sore_now"}


@pytest.mark.parametrize("content, said", [
    (b"{not json", "not valid JSON"),
    (b"\xff\xfe\x00garbage", "not UTF-8"),
    (b"[" * 100000 + b"]" * 100000, "nested too deeply"),
    (b'{"diabetes": ' + b"9" * 5000 + b"}", "not valid JSON"),
    (b"%PDF-1.7 not really", "no readable attached record"),
    (b"[1, 2]", "answers: must be a JSON object"),
    (b'{"answers": 1, "submission": {}}', "answers: must be a JSON object"),
])
def test_cli_eval_never_prints_a_traceback(runner, tmp_path, content, said):
    path = tmp_path / "in.json"
    path.write_bytes(content)
    result = runner.invoke(args=["rules", "eval", str(path)])
    assert result.exit_code == 2, result.output
    assert said in result.output and "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.slow
def test_cli_eval_reads_the_record_attached_to_a_sealed_pdf(runner, app, client, db):
    from pathlib import Path
    client.post("/", data=valid_form(swim_within_24h="yes"))
    with app.app_context():
        countersign(app, db, next(db["submissions"].rows)["id"])
    entry = next(db["archive"].rows)
    pdf_path = Path(app.config["ARCHIVE_DIR"]) / entry["path"]
    result = runner.invoke(args=["rules", "eval", str(pdf_path), "--on", "2026-12-01"])
    assert result.exit_code == 0, result.output
    stored = json.loads(next(db["submissions"].rows)["evaluation"])
    assert [f["rule"] for f in json.loads(result.output)["flags"]] == \
        [f["rule"] for f in stored["flags"]]


def test_flags_come_stop_then_review_then_advice(app, client, db, doctor):
    # swimming (advice), a cold sore now (stop) and blood thinners (review), in one go
    answers = {**CASES["base"]["answers"], "swim_within_24h": "yes", "cold_sore_now": "yes",
               "anticoagulants": "yes"}
    flags = evaluate(RULESET, answers, date(2026, 12, 1)).to_dict()["flags"]
    severities = [f["severity"] for f in flags]
    assert severities == sorted(severities, key=["stop", "review", "advice"].index)
    assert set(severities) == {"stop", "review", "advice"}
    client.post("/", data=valid_form(swim_within_24h="yes", cold_sore_now="yes",
                                     anticoagulants="yes"))
    row = next(db["submissions"].rows)
    page = doctor.get(f"/review/{row['id']}").get_data(as_text=True)
    shown = re.findall(r'<span class="flag-(stop|review|advice)">', page)
    assert shown == sorted(shown, key=["stop", "review", "advice"].index) and len(shown) >= 3


MEDICINES = {**GOOD, "id": "medicine-contradicts-answer", "category": "other",
             "severity": "review", "message": "Medicines contradict answers: {contradictions}.",
             "when": {"field": "medications",
                      "mentions_medicine": ["anticoagulants", "isotretinoin"]}}


@pytest.mark.parametrize("medications, answers, found", [
    ("Warfarin 5 mg daily", {}, "Warfarin (warfarin, an anticoagulant (blood thinner); "
                                "anticoagulants: no)"),
    ("warfarin", {"anticoagulants": "yes"}, None),  # declared: nothing contradicts
    ("Xarelto; ROACCUTANE 20mg", {}, "Xarelto (rivaroxaban, an anticoagulant (blood thinner); "
                                     "anticoagulants: no), ROACCUTANE (isotretinoin capsules, "
                                     "isotretinoin; isotretinoin: never)"),
    ("warfarinolate cream, preroaccutane", {}, None),  # not a name, nor one letter off one
    ("aspirin", {}, None),  # a class this rule does not ask about
    ("", {}, None),
])
def test_a_named_medicine_that_contradicts_an_answer_is_flagged(medications, answers, found):
    ruleset = parse({"version": "1", "rule": [MEDICINES]}, vocabulary())
    patient = {**CASES["base"]["answers"], "medications": medications, **answers}
    flags = evaluate(ruleset, patient, date(2026, 12, 1)).flags
    if found is None:
        assert flags == []
    else:
        [flag] = flags
        assert flag.message == f"Medicines contradict answers: {found}."
        assert set(flag.fields) == {"medications", "anticoagulants", "isotretinoin"}


@pytest.mark.parametrize("sealed", [
    "previous-main/archive/2026/11/ESVEqfNtZwQ7pRFvEsj4uA.pdf",  # answered under edition 1
    "main-before-catalogue/archive/2026/12/p8y2gp1L-CrgCBKtgwsKLw.pdf",  # under edition 2
])
def test_answers_of_earlier_editions_still_evaluate(runner, sealed):
    # Questions new in edition 3 are absent from them: not asked, never an error.
    result = runner.invoke(args=["rules", "eval", str(DATA / sealed), "--on", "2026-12-01"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["status"] in ("cleared", "needs_review")


def test_plain_answers_say_their_edition_or_are_read_as_todays(runner, tmp_path):
    from consent.intake.questionnaire import ADDED_IN
    old = {k: v for k, v in CASES["base"]["answers"].items() if k not in ADDED_IN["2"]}
    path = tmp_path / "edition-1.json"
    path.write_text(json.dumps({**old, "last_session_date": None}))
    as_today = runner.invoke(args=["rules", "eval", str(path), "--on", "2026-12-01"])
    assert as_today.exit_code == 2 and "herpes_in_area: Please answer yes or no." in \
        as_today.output
    as_given = runner.invoke(args=["rules", "eval", str(path), "--on", "2026-12-01",
                                   "--edition", "1"])
    assert as_given.exit_code == 0, as_given.output
    assert json.loads(as_given.output)["status"] == "cleared"
