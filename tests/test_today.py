"""The Today page: the day's patients for practitioners and doctors, flagged first."""
import re

from conftest import enrolled_client, staff_client, valid_form


def test_today_lists_the_days_patients_waiting_for_a_doctor_first(app):
    tablet = enrolled_client(app)
    tablet.post("/", data=valid_form(first_name="Cleo", signed_name="Cleo Lovelace"))
    tablet.post("/", data=valid_form(first_name="Flora", signed_name="Flora Lovelace",
                                     cold_sore_now="yes"))
    nurse = staff_client(app, "nurse.jo", "practitioner")
    page = nurse.get("/today").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", page, re.S)
    assert [("Flora" in r, "Cleo" in r) for r in rows] == [(True, False), (False, True)]
    assert "needs review" in rows[0] and re.search(r"<td>doctor</td>", rows[0])
    assert re.search(r"<td>nobody</td>", rows[1])
    assert 'href="/review/' not in page  # a practitioner does not open the doctor's review


def test_a_practitioner_lands_on_today_and_a_doctor_sees_it_too(app):
    nurse = staff_client(app, "nurse.jo", "practitioner")
    assert nurse.get("/review").status_code == 403
    doctor = staff_client(app, "dr.house", "doctor")
    assert doctor.get("/today").status_code == 200
    assert 'href="/today"' in doctor.get("/review").get_data(as_text=True)


def test_a_one_doctor_clinic_can_give_its_doctor_the_admins_rights_too(app, admin, db):
    response = admin.post("/admin/users", data={"username": "dr.solo", "full_name": "Sam Solo",
                                                "role": "doctor_admin"})
    assert response.status_code == 200 and db["users"].get("dr.solo")["role"] == "doctor_admin"
    solo = staff_client(app, "dr.sole", "doctor_admin")  # as the link would set it up
    page = solo.get("/review").get_data(as_text=True)
    for link in ('href="/review"', 'href="/today"', 'href="/admin"'):
        assert link in page
    assert solo.get("/admin").status_code == 200 and solo.get("/today").status_code == 200
    nurse = staff_client(app, "nurse.jo", "practitioner")  # least privilege stays the default
    assert nurse.get("/admin").status_code == 403
