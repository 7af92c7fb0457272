"""Export finalised records as FHIR bundles: one JSON file each, with a manifest."""
import csv
import hashlib
from pathlib import Path

from ..intake import information, photos, submissions
from ..practice import consents, treatments
from ..review import decisions
from ..staff import accounts
from . import archive, fhir


def bundle_for(db, config, submission_id):
    """Return the validated FHIR Bundle of one archived record, or None if not archived."""
    entry = archive.entry(db, submission_id)
    if entry is None:
        return None
    pdf_bytes = archive.newest_file(db, config["ARCHIVE_DIR"], entry).read_bytes()
    return fhir.record(*parts(db, config, submissions.get(db, submission_id)), pdf_bytes)


def parts(db, config, submission):
    """Gather what a bundle says: submission, decision, countersignature, staff, clinic."""
    decision, countersigned = decisions.get(db, submission["id"]), consents.get(db,
                                                                              submission["id"])
    treated = treatments.get(db, submission["id"])
    staff = {"doctor": decision and accounts.profile(db, decision["doctor"]),
             "practitioner": countersigned and accounts.profile(db, countersigned["practitioner"]),
             "treating": treated and accounts.profile(db, treated["practitioner"])}
    clinic = {"name": config["CLINIC_NAME"], "address": config["CLINIC_ADDRESS"]}
    # The cost as the patient read it, beside their declaration that it was explained.
    cost = information.told(db, submission["information_sha256"], "Cost")
    withdrawn = photos.withdrawn(db, submission["id"])  # since the record was sealed
    reactions = list(db["reactions"].rows_where("submission_id = ?", [submission["id"]],
                                                order_by="id"))
    return ({**submission, "cost_read": cost, "photos_withdrawn": withdrawn,
             "treatment_record": treated, "reactions": reactions}, decision, countersigned,
            staff, clinic)


def embedded(db, config, submission):
    """Return the bundle sealed inside the record's own PDF (its Consent cannot hash it)."""
    return fhir.bundle(*parts(db, config, submission))


def export(db, config, since, dest):
    """Write one bundle per record treated since a date, and a manifest; return the count."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    rows = db.query("select a.submission_id from archive a join submissions s "
                    "on s.id = a.submission_id where s.treatment_date >= ? order by a.seq",
                    [since.isoformat()])
    count = 0
    with open(dest / "manifest.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "file", "sha256"])
        for count, row in enumerate(rows, start=1):
            text = bundle_for(db, config, row["submission_id"]).model_dump_json(indent=1)
            name = f"{row['submission_id']}.fhir.json"
            (dest / name).write_text(text)
            writer.writerow([row["submission_id"], name,
                             hashlib.sha256(text.encode()).hexdigest()])
    return count
