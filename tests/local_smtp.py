"""A real SMTP server on 127.0.0.1 (aiosmtpd) that insists on STARTTLS, for the outbox tests."""
import ssl
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller

from bench.serve import free_port
from consent import tls


class Inbox:
    """Keep every message the server accepted, parsed."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


class LocalSmtp:
    """Start and stop an SMTP server with its own CA; the app trusts that CA only."""

    def __init__(self, folder):
        folder.mkdir(parents=True, exist_ok=True)
        tls.ensure(folder, "Test Mail", "https://127.0.0.1")
        self.ca_file = str(folder / tls.CA_CERT)
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(folder / tls.SERVER_CERT, folder / tls.SERVER_KEY)
        self.port = free_port()
        self.inbox = Inbox()
        self.controller = None

    def config(self):
        """Return the app settings that send through this server."""
        return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": self.port, "MAIL_STARTTLS": True,
                "MAIL_CA_FILE": self.ca_file, "MAIL_FROM": "clinic@test.invalid"}

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port,
                                     tls_context=self.context, require_starttls=True)
        self.controller.start()
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def bodies(self):
        """Return each received message as its subject and plain-text body."""
        return [(m["subject"], m.get_body(("plain",)).get_content()) for m in self.inbox.messages]
