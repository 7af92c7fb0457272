"""What the clinic sends a patient: each message a protected link, queued in the outbox."""
from ..intake import submissions
from ..kernel.languages import CLINIC
from ..kernel.storage import immediate
from ..kernel.tokens import message_token
from . import outbox, visit_links, visits


def send(db, config, instance_path, visit, purpose):
    """Queue a new link of this purpose to the visit's e-mail; False when it has none."""
    if not (visit and visit["email"]):
        return False
    with immediate(db):
        expires = visit_links.expiry(purpose, visit, config)
        subject, body = in_their_language(config, instance_path, purpose, expires, visit,
                                          language_of(db, visit))
        message_id = outbox.queue(db, visit["email"], subject, body, visit["id"])
        visit_links.issue(db, visit, purpose, config,
                          message_token(config["SECRET_KEY"], message_id))
    if purpose == "questionnaire":
        visits.note(db, visit["id"], "information_sent_at")
    return True


def language_of(db, visit):
    """Return the language the patient answered in, else the one reception chose."""
    if visit.get("submission_id"):
        return submissions.get(db, visit["submission_id"])["language"] or CLINIC
    return visit.get("language") or CLINIC


def in_their_language(config, instance_path, purpose, expires, visit, language):
    """Return (subject, body): the patient's language, then the clinic's under a rule."""
    def render(lang):
        return outbox.render(config, instance_path, purpose, outbox.LINK, expires, lang,
                             visit_when=visits.spoken_when(visit, lang))
    subject, body = render(language)
    if language == CLINIC:
        return subject, body
    # The clinic's words too: what a draft translation says can be checked against them.
    return subject, f"{body}\n----------------------------------------\n\n{render(CLINIC)[1]}"


def alert_clinic(db, config, instance_path):
    """Queue a message to CLINIC_ALERT_EMAIL that an urgent reaction report waits."""
    if not config.get("CLINIC_ALERT_EMAIL"):
        return False
    # No patient's name or words: the page behind the link needs a doctor's log-in.
    subject, body = outbox.render(config, instance_path, "reaction_alert",
                                  f"{config['PUBLIC_URL'].rstrip('/')}/review/reactions")
    outbox.queue(db, config["CLINIC_ALERT_EMAIL"], subject, body)
    return True


def after(db, config, instance_path, submission_id, purpose):
    """Send the patient their copy or aftercare link; False when they gave no e-mail."""
    visit = visits.for_submission(db, submission_id)
    if visit is None:  # answered at the tablet: the address they typed is the one to use
        submission = submissions.get(db, submission_id)
        if not submission["answers"].get("email"):
            return False
        with immediate(db):
            visit = visits.for_submission(db, submission_id) or visits.walk_in(db, submission)
    return send(db, config, instance_path, visit, purpose)
