"""The Today page: the day's patients for practitioners and doctors, flagged first."""
import re

import pytest

from consent.kernel.storage import connect

from conftest import countersign, enrolled_client, staff_client, treat, valid_form


@pytest.mark.slow
def test_today_lists_the_days_patients_and_what_each_waits_on(app):
    tablet = enrolled_client(app)
    for name, extra in (("Cleo", {}), ("Flora", {"cold_sore_now": "yes"}), ("Iris", {}),
                        ("Tess", {})):
        tablet.post("/", data=valid_form(first_name=name, signed_name=f"{name} Lovelace",
                                         **extra))
    db = connect(app.config["DATABASE"])
    ids = {row["first_name"]: row["id"] for row in db["submissions"].rows}
    with app.app_context():
        countersign(app, db, ids["Iris"])
        countersign(app, db, ids["Tess"])
        treat(app, db, ids["Tess"])
    nurse = staff_client(app, "nurse.jo", "practitioner")
    page = nurse.get("/today").get_data(as_text=True)
    rows = re.findall(r"<tr class=\"[^\"]*\">(.*?)</tr>", page, re.S)
    waits = {name: next(r for r in rows if f">{name} " in r) for name in ids}
    assert "Flora" in rows[0] and "doctor: review" in rows[0]  # flagged first
    assert "awaiting consent" in waits["Cleo"] and \
        f'href="/practice/{ids["Cleo"]}">practitioner: consent' in waits["Cleo"]
    assert f'href="/practice/{ids["Iris"]}/treatment">practitioner: treatment record' in \
        waits["Iris"]
    assert "<td>treated</td>" in waits["Tess"] and "<td>nobody</td>" in waits["Tess"]
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
