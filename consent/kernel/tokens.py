"""Tokens the service hands out, their stored hashes, and links on PUBLIC_URL."""
import base64
import hashlib
import hmac


def token_hash(token):
    """Store only a hash of a token, so a database copy grants no access."""
    return hashlib.sha256(token.encode()).hexdigest()


def public_link(config, path, token):
    """Return a link on PUBLIC_URL with the token in the fragment (never sent to a server)."""
    return f"{config['PUBLIC_URL'].rstrip('/')}{path}#{token}"


def message_token(secret_key, message_id):
    """Derive the token of the link in one outbox message from the app's secret key.

    The database keeps only the token's hash: a copy of it (or of a backup, which never
    holds config.py) cannot open a link that is still waiting to be sent.
    """
    digest = hmac.new(str(secret_key).encode(), f"patient-link {message_id}".encode(),
                      hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
