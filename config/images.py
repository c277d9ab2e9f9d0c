"""The one gate every uploaded image passes: listing photos and avatars, API and admin.

An upload is trusted only after Pillow has decoded it: its name and declared
content type come from the client and say nothing. The size is checked
before anything is read, and the pixel count and the memory the decoded
pixels would take from the header, before anything is decoded, so a small
file that inflates into gigabytes (a decompression bomb) is refused without
allocating its pixels. What is stored is a re-encoding of the decoded
pixels, so no EXIF (GPS position, camera, owner), XMP, comment or other
metadata of the upload survives; only the colour profile and transparency
are kept, because the picture looks wrong without them.

Decoding is the one step whose memory grows with the image, so at most
``PHOTO_DECODE_CONCURRENCY`` uploads decode at once in a process; the rest
wait their turn, and a worker's memory stays flat however many arrive.
"""

import io
import threading
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from PIL import Image, ImageOps
from rest_framework.exceptions import APIException

# Pillow format name -> the extension the stored file gets.
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
ALLOWED_FORMATS_TEXT = "JPEG, PNG or WebP"

# Formats people commonly try, recognised by their first bytes so the error can
# name them; Pillow is never asked to parse a format outside the allowlist.
_KNOWN_SIGNATURES = [
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"\x00\x00\x01\x00", "ICO"),
]
_HEADER_BYTES = 16


# Bytes per pixel of a decoded image as Pillow holds it: one for the 8-bit
# single-band modes, two for 16-bit greyscale, four for everything else
# (multi-band images are stored 32 bits a pixel, RGB included).
_ONE_BYTE_MODES = frozenset({"1", "L", "P"})


def decoded_bytes(mode: str, width: int, height: int) -> int:
    """The memory Pillow needs for the decoded pixels of an image of this mode and size."""
    if mode in _ONE_BYTE_MODES:
        per_pixel = 1
    elif mode.startswith("I;16"):
        per_pixel = 2
    else:
        per_pixel = 4
    return width * height * per_pixel


class ImageDecodingBusy(APIException):
    status_code = 503
    default_detail = "Too many images are being processed right now; try the upload again."
    default_code = "image_decoding_busy"


_decode_slots: tuple[int, threading.BoundedSemaphore] | None = None
_decode_slots_lock = threading.Lock()


def _decoding_slots() -> threading.BoundedSemaphore:
    global _decode_slots
    size = settings.PHOTO_DECODE_CONCURRENCY
    with _decode_slots_lock:
        # Made on first use (settings are read then) and again if the setting changes.
        if _decode_slots is None or _decode_slots[0] != size:
            _decode_slots = (size, threading.BoundedSemaphore(size))
        return _decode_slots[1]


@dataclass(frozen=True)
class VerifiedImage:
    format: str
    extension: str
    width: int
    height: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _sniff_format(header: bytes) -> str | None:
    for signature, name in _KNOWN_SIGNATURES:
        if header.startswith(signature):
            return name
    if header[4:8] == b"ftyp":
        return "HEIC/AVIF"
    return None


def _not_allowed(header: bytes) -> ValidationError:
    name = _sniff_format(header)
    if name:
        return ValidationError(
            f"{name} images are not accepted; upload a {ALLOWED_FORMATS_TEXT} image.",
            code="invalid_image_format",
        )
    return ValidationError(
        f"The file is not a {ALLOWED_FORMATS_TEXT} image (or it is damaged).",
        code="invalid_image",
    )


def _too_many_pixels(limit: int, width: int | None = None, height: int | None = None):
    size = f" ({width} × {height})" if width else ""
    return ValidationError(
        f"The image has too many pixels{size}; the limit is {limit / 1e6:g} megapixels.",
        code="image_too_many_pixels",
    )


def _too_much_memory(limit: int, mode: str, width: int, height: int) -> ValidationError:
    needed = decoded_bytes(mode, width, height)
    return ValidationError(
        f"The image would take {_megabytes(needed)} of memory to decode ({width} × {height}, "
        f"mode {mode}); the limit is {_megabytes(limit)}. Upload a smaller image.",
        code="image_too_large_decoded",
    )


def _jpeg_draft(image, limit: int) -> None:
    """Let libjpeg decode a JPEG too big for ``limit`` at 1/2, 1/4 or 1/8 scale instead.

    A camera's 48-megapixel photo is far more than a listing page shows; the
    scaled decode costs a fraction of the memory and time, and never exists in full.
    """
    width, height = image.size
    if decoded_bytes(image.mode, width, height) <= limit:
        return
    for scale in (2, 4, 8):
        if decoded_bytes(image.mode, -(-width // scale), -(-height // scale)) <= limit:
            image.draft(image.mode, (width // scale, height // scale))
            return


def _reencode(image, image_format: str) -> bytes:
    # Only what the picture needs to look right survives; EXIF, XMP, comments
    # and text chunks are left behind with the original file.
    kept = {key: image.info[key] for key in ("icc_profile", "transparency") if key in image.info}
    # A photo taken sideways is stored upright: its orientation tag goes with the EXIF.
    ImageOps.exif_transpose(image, in_place=True)
    image.info = {}
    options = {"JPEG": {"quality": 90}, "WEBP": {"quality": 90}, "PNG": {"optimize": False}}
    buffer = io.BytesIO()
    image.save(buffer, format=image_format, **options[image_format], **kept)
    return buffer.getvalue()


def sanitized_upload(upload) -> tuple[ContentFile, VerifiedImage]:
    """Verify ``upload`` and return a clean re-encoding to store, with its real format and size.

    Refuses (``ValidationError``) files over ``PHOTO_MAX_BYTES``, images over
    ``PHOTO_MAX_PIXELS`` or whose decoded pixels would need more than
    ``PHOTO_MAX_DECODED_BYTES`` (both read from the header, before decoding),
    formats outside JPEG, PNG and WebP, and files that do not decode
    completely (truncated or corrupt). The returned file is named
    ``image.<extension>`` after the verified format; storage names are random.
    """
    max_bytes = settings.PHOTO_MAX_BYTES
    max_pixels = settings.PHOTO_MAX_PIXELS
    max_decoded = settings.PHOTO_MAX_DECODED_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            f"The file is too large: {upload.size:,} bytes; the limit is {max_bytes:,} bytes "
            f"({_megabytes(max_bytes)}).",
            code="file_too_large",
        )
    upload.seek(0)
    header = upload.read(_HEADER_BYTES)
    upload.seek(0)
    try:
        # Opening reads only the header; the allowlist keeps every other
        # decoder (and its parser bugs) away from client bytes.
        with Image.open(upload, formats=list(ALLOWED_FORMATS)) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise _too_many_pixels(max_pixels, width, height)
            image_format = image.format
            if image_format == "JPEG":
                _jpeg_draft(image, max_decoded)
            if decoded_bytes(image.mode, *image.size) > max_decoded:
                raise _too_much_memory(max_decoded, image.mode, *image.size)
            slots = _decoding_slots()
            if not slots.acquire(timeout=settings.PHOTO_DECODE_WAIT_SECONDS):
                raise ImageDecodingBusy
            try:
                image.load()
                content = _reencode(image, image_format)
                width, height = image.size
            finally:
                slots.release()
    except (ValidationError, ImageDecodingBusy):
        raise
    except Image.DecompressionBombError:
        # Pillow's own guard (above 2 × Image.MAX_IMAGE_PIXELS) fired while opening.
        raise _too_many_pixels(max_pixels) from None
    except Image.UnidentifiedImageError:
        raise _not_allowed(header) from None
    except Exception:
        # Corrupt input makes Pillow's decoders raise almost anything (OSError,
        # SyntaxError, ValueError, EOFError, zlib.error, struct.error...); each
        # means the same thing here, and none may become a 500.
        raise ValidationError(
            f"The image could not be decoded: it is truncated or damaged. "
            f"Upload a complete {ALLOWED_FORMATS_TEXT} file.",
            code="invalid_image",
        ) from None
    finally:
        upload.seek(0)
    extension = ALLOWED_FORMATS[image_format]
    verified = VerifiedImage(format=image_format, extension=extension, width=width, height=height)
    return ContentFile(content, name=f"image.{extension}"), verified
