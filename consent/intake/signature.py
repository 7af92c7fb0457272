"""Check a drawn signature and re-encode it as a clean PNG."""
import base64
import binascii
from io import BytesIO

from PIL import Image, ImageChops

from ..kernel.languages import N_

PREFIX = "data:image/png;base64,"
MAX_DATA_URL = 400_000
MAX_SIZE = (2400, 1200)
MIN_SIZE = (100, 40)
MIN_INK_PIXELS = 150
UNREADABLE = N_("The signature could not be read. Please clear the box and sign again.")


class SignatureError(ValueError):
    """The drawn signature is missing, blank or not a readable PNG."""


def decode(data_url):
    """Open a PNG data URL as an RGBA image, refusing oversized or foreign input."""
    if not data_url:
        raise SignatureError(N_("Please sign in the box."))
    if not data_url.startswith(PREFIX) or len(data_url) > MAX_DATA_URL:
        raise SignatureError(UNREADABLE)
    try:
        raw = base64.b64decode(data_url[len(PREFIX):], validate=True)
        with Image.open(BytesIO(raw), formats=["PNG"]) as image:
            # Size is checked from the header before any pixel is decoded.
            too_big = image.width > MAX_SIZE[0] or image.height > MAX_SIZE[1]
            if too_big or image.width < MIN_SIZE[0] or image.height < MIN_SIZE[1]:
                raise SignatureError(UNREADABLE)
            return image.convert("RGBA")
    except (binascii.Error, OSError, ValueError, SyntaxError, EOFError,
            Image.DecompressionBombError) as error:
        if isinstance(error, SignatureError):
            raise
        raise SignatureError(UNREADABLE) from None


def ink_pixels(image):
    """Count opaque, dark pixels: the strokes of the pen."""
    opaque = image.getchannel("A").point(lambda v: 255 if v > 128 else 0)
    dark = image.convert("L").point(lambda v: 255 if v < 160 else 0)
    return ImageChops.multiply(opaque, dark).histogram()[255]


def clean_png(data_url):
    """Return the signature as freshly encoded PNG bytes, or raise SignatureError."""
    image = decode(data_url)
    if ink_pixels(image) < MIN_INK_PIXELS:
        raise SignatureError(N_("Please sign in the box."))
    # Rebuilding from raw pixels drops every chunk and byte the client sent.
    clean = Image.frombytes("RGBA", image.size, image.tobytes())
    out = BytesIO()
    clean.save(out, format="PNG")
    return out.getvalue()
