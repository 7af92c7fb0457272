"""The treatment catalogue: data the clinic owns, refused at load when it lacks anything."""
from datetime import date

import pytest

from consent.intake import catalogue
from consent.intake.catalogue import TREATMENTS, CatalogueError, forbidden_by_law, load
from consent.intake.questionnaire import QUESTIONS

from conftest import ROOT

GOOD = '''
[[treatment]]
id = "rf_microneedling"
name = "RF micro-needling"
cooling_off_hours = 24
records_product = false
[treatment.age]
minimum = 18
source = "Clinic policy."
'''


def test_the_shipped_catalogue_drives_the_questionnaires_treatment_choices():
    assert list(TREATMENTS) == ["microneedling", "mesotherapy_needling", "mesotherapy_injection"]
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
    assert ok.exit_code == 0 and "Catalogue: 3 treatments" in ok.output
    assert "under 18 forbidden by the Botulinum Toxin" in ok.output
    bad = tmp_path / "treatments.toml"
    bad.write_text(GOOD.replace("cooling_off_hours = 24\n", ""))
    refused = runner.invoke(args=["treatments", "check", "--file", str(bad)])
    assert refused.exit_code == 1 and "cooling_off_hours is required" in refused.output
    assert catalogue.DEFAULT_FILE == ROOT / "rules" / "treatments.toml"
