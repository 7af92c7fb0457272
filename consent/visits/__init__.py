"""Before and after the visit: bookings, the patient's links, mail, outbox, reaction reports."""
