"""Links the service hands out: always on PUBLIC_URL, never built from a request's Host."""


def public_link(config, path, token):
    """Return a link on PUBLIC_URL with the token in the fragment (never sent to a server)."""
    return f"{config['PUBLIC_URL'].rstrip('/')}{path}#{token}"
