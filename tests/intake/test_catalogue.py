"""The treatment catalogue: data the clinic owns, refused at load when it lacks anything."""
from datetime import date

import pytest

from consent.intake import catalogue
from consent.intake.catalogue import TREATMENTS, CatalogueError, forbidden_by_law, load
from consent.intake.questionnaire import QUESTIONS

from conftest import ROOT, treatment_toml

GOOD = treatment_toml("rf_microneedling", "RF micro-needling", "Needles that heat.", '''
[[treatment.record]]
name = "depth_mm"
label = "Needle depth"
kind = "number"
unit = "mm"
min = 0.5
max = 4.0
[[treatment.record]]
name = "tip"
label = "Tip"
kind = "choice"
choices = [["t24", "24 pins"], ["t40", "40 pins"]]
''')


def test_the_shipped_catalogue_drives_the_questionnaires_treatment_choices():
    assert list(TREATMENTS) == ["microneedling", "mesotherapy_needling",
                                "mesotherapy_injection", "rf_microneedling"]
    assert [value for value, _ in QUESTIONS["treatment"].choices] == list(TREATMENTS)
    injected = TREATMENTS["mesotherapy_injection"]
    assert injected.law.startswith("Botulinum Toxin and Cosmetic Fillers (Children) Act 2021")
    assert "legislation.gov.uk/ukpga/2021/19" in injected.age_source
    assert TREATMENTS["microneedling"].law == ""  # clinic policy, a doctor may review


@pytest.mark.parametrize("change, said", [
    (("cooling_off_hours = 24\n", ""), "cooling_off_hours is required (there is no default)"),
    (("cooling_off_hours = 24", 'cooling_off_hours = "24"'), "cooling_off_hours must be int"),
    (("cooling_off_hours = 24", "cooling_off_hours = -1"), "must be sensible"),
    (("records_product = false\n", ""), "records_product is required"),
    (('source = "Clinic policy."\n', ""), "age: source is required"),
    (("minimum = 18", "minimum = 18\nlaw = \"\""), "age: law is empty"),
    (("records_product = false", "records_product = false\ncolour = 1"), "unknown key colour"),
    (('id = "rf_microneedling"', 'id = "RF micro"'), "id must be lower case"),
    (('cost = "£300 a session."\n', ""), "cost is required"),
    (("what = ", "colour = 1\nwhat = "), "information: unknown key colour"),
    (('feels = "Warm."\n', ""), "information: feels is required"),
    (('"No treatment at all.", ', ""), "alternatives must include having no treatment"),
    (('areas = ["face", "neck"]', 'areas = ["face", "elbow"]'), "areas must be some of"),
    (('areas = ["face", "neck"]', "areas = []"), "areas must be some of"),
    (("serious = true\n", ""), "name its serious risks"),
    (('likelihood = "Uncommon."\n', ""), "risk 2: likelihood is required"),
    (('source = "Weiner 2019."', 'source = ""'), "risk 1: source is empty"),
    (("min = 0.5", "min = 5.0"), "record field depth_mm: a number needs min < max"),
    (('kind = "choice"', 'kind = "text"'), "record field tip: a choice needs choices"),
    (('kind = "number"', 'kind = "slider"'), "record field depth_mm: kind must be one of"),
    (('name = "tip"', 'name = "depth_mm"'), "each named once"),
])
def test_a_treatment_missing_or_mistyping_an_entry_is_refused_by_name(tmp_path, change, said):
    path = tmp_path / "treatments.toml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(CatalogueError, match="treatment (rf_microneedling|RF micro)") as error:
        load(path)
    assert said in str(error.value)
    path.write_text(GOOD)
    assert load(path)["rf_microneedling"].cooling_off_hours == 24


def test_a_treatment_declared_twice_or_none_at_all_is_refused(tmp_path):
    path = tmp_path / "treatments.toml"
    path.write_text(GOOD + GOOD)
    with pytest.raises(CatalogueError, match="declared twice"):
        load(path)
    path.write_text("")
    with pytest.raises(CatalogueError, match="no \\[\\[treatment\\]\\] entries"):
        load(path)


@pytest.mark.parametrize("born, forbidden", [
    (date(2008, 12, 3), True),  # 17 years and 364 days on the day
    (date(2008, 12, 2), False),  # the 18th birthday: the law no longer applies
    (date(1990, 1, 1), False),
])
def test_the_law_applies_up_to_the_day_before_the_18th_birthday(born, forbidden):
    injected = TREATMENTS["mesotherapy_injection"]
    assert bool(forbidden_by_law(injected, born, date(2026, 12, 2))) is forbidden
    assert forbidden_by_law(TREATMENTS["microneedling"], born, date(2026, 12, 2)) == ""


def test_the_check_command_reads_a_file_and_names_what_is_wrong(runner, tmp_path):
    ok = runner.invoke(args=["treatments", "check"])
    assert ok.exit_code == 0 and "Catalogue: 4 treatments" in ok.output
    assert "under 18 forbidden by the Botulinum Toxin" in ok.output
    bad = tmp_path / "treatments.toml"
    bad.write_text(GOOD.replace("cooling_off_hours = 24\n", ""))
    refused = runner.invoke(args=["treatments", "check", "--file", str(bad)])
    assert refused.exit_code == 1 and "cooling_off_hours is required" in refused.output
    assert catalogue.DEFAULT_FILE == ROOT / "rules" / "treatments.toml"


BANDS = ("Very common", "Common", "Uncommon", "Rare", "Very rare")


@pytest.mark.parametrize("treatment", list(TREATMENTS))
def test_every_shipped_risk_says_how_likely_it_is_in_the_leaflet_bands(treatment):
    for risk in TREATMENTS[treatment].risks:
        assert risk.likelihood.startswith(BANDS), risk
        assert len(risk.source) > 20, risk  # a reference a reader can find


def test_an_injected_patient_reads_the_material_risks_of_an_injection_and_no_other_text():
    from consent.intake import information
    injected = information.render(["mesotherapy_injection"], "020 7946 0000")
    for words in ("vascular occlusion", "granulomas", "atypical mycobacteria", "Loss of sight",
                  "Call 999 straight away if your eyesight changes", "020 7946 0000"):
        assert words in injected, words
    needled = information.render(["microneedling"], "020 7946 0000")
    assert "vascular occlusion" not in needled and "Nothing is injected" in needled
    both = information.render(["microneedling", "mesotherapy_injection"], "020 7946 0000")
    assert both.count('class="about-treatment"') == 2  # a patient who chose two reads both
