"""Photo uploads: checked by content, cleaned of metadata, kept in storage, served only by guarded views.

API (used by the issues and move-in blueprints):

- `clean_image(file_storage) -> CleanImage`: read one werkzeug FileStorage, accept only real JPEG, PNG or WebP
  images (whatever the file name or the browser's content type says) of at most `MAX_PHOTO_BYTES` (5 MB) and
  `MAX_PIXELS`, apply the EXIF orientation, then re-encode the pixels alone, so EXIF (GPS included), XMP, ICC
  and text chunks are gone. Stores nothing. Raises `PhotoError` (a ValueError) whose `str()` is a message
  fit to show the user.
- `store(clean) -> StoredPhoto` and `process_upload(file_storage) -> StoredPhoto` (clean and store in one go):
  `StoredPhoto(key, mime, width, height, size)`; keep those five in your own model row.
- `photos_from_request(files, limit=3) -> list[CleanImage]`: the non-empty uploads of a multi-file field, at
  most `limit`, all checked (for a form validator); raises `PhotoError`.
- `photo_response(key, mime)`: the response for a view that has ALREADY checked that the viewer may see the
  object owning the photo. Never link storage keys from static/.
- `delete_photo(key)`: remove a stored file (quiet if it is already gone).

Typical use: validate in the form (`clean_image` / `photos_from_request`), and only once the whole form is
valid call `store()` for each and add rows in the same transaction as the object they belong to.
"""
import io
from dataclasses import dataclass

from flask import Response, abort, request
from PIL import Image, ImageOps, UnidentifiedImageError

from app.storage import get_storage

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: bigger than any phone camera, small enough to decode safely
MAX_SIDE = 2560  # longer side after cleaning; plenty to see a leak, a fraction of the bytes
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
SAME_AS = {"MPO": "JPEG"}  # many phone cameras write a JPEG with a second, "multi-picture" frame


class PhotoError(ValueError):
    """An upload that is not an acceptable photo; str(error) is a message for the user."""


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    mime: str
    suffix: str
    width: int
    height: int
    filename: str = ""


@dataclass(frozen=True)
class StoredPhoto:
    key: str
    mime: str
    width: int
    height: int
    size: int


def _read_limited(file_storage) -> bytes:
    data = file_storage.stream.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise PhotoError(f"{_name(file_storage)} is larger than 5 MB. Please choose a smaller photo.")
    if not data:
        raise PhotoError(f"{_name(file_storage)} is empty.")
    return data


def files_chosen() -> bool:
    """True when the request carries a chosen file: after a failed submit the user must pick it again
    (a browser cannot refill a file input), so the page says so."""
    return any(f.filename for _name, f in request.files.items(multi=True))


def _name(file_storage) -> str:
    return f'"{file_storage.filename}"' if getattr(file_storage, "filename", None) else "The photo"


def _open_checked(data: bytes, label: str) -> tuple[Image.Image, str]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = SAME_AS.get(probe.format or "", probe.format)
            probe.verify()  # structural check without decoding every pixel
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise PhotoError(f"{label} is not a JPEG, PNG or WebP image.") from exc
    if fmt not in FORMATS:
        raise PhotoError(f"{label} is not a JPEG, PNG or WebP image.")
    if image.width * image.height > MAX_PIXELS:
        raise PhotoError(f"{label} has too many pixels. Please choose a smaller photo.")
    return image, fmt


def _pixels_only(image: Image.Image) -> Image.Image:
    """A new image holding the pixels alone: no EXIF, GPS, XMP, ICC profile or text chunks."""
    image = ImageOps.exif_transpose(image)  # keep the photo upright once its EXIF orientation is dropped
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit greyscale: scale down, do not clip
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    image = image.convert("RGBA" if has_alpha else "RGB")
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    return Image.frombytes(image.mode, image.size, image.tobytes())


def clean_image(file_storage) -> CleanImage:
    """Check one upload by content and re-encode it without metadata (see the module docstring)."""
    label = _name(file_storage)
    data = _read_limited(file_storage)
    image, fmt = _open_checked(data, label)
    try:
        clean = _pixels_only(image)
    except (OSError, ValueError, SyntaxError) as exc:
        raise PhotoError(f"{label} could not be read as an image.") from exc
    mime, suffix = FORMATS[fmt]
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=85)
    return CleanImage(out.getvalue(), mime, suffix, clean.width, clean.height, file_storage.filename or "")


def photos_from_request(files, limit: int = 3) -> list[CleanImage]:
    """Check the non-empty uploads of a multi-file field; at most `limit` of them."""
    chosen = [f for f in (files or []) if f and getattr(f, "filename", "")]
    if len(chosen) > limit:
        raise PhotoError(f"Please attach at most {limit} photos.")
    return [clean_image(f) for f in chosen]


def store(clean: CleanImage) -> StoredPhoto:
    key = get_storage().save(clean.data, clean.suffix)
    return StoredPhoto(key, clean.mime, clean.width, clean.height, len(clean.data))


def process_upload(file_storage) -> StoredPhoto:
    """Check, clean and store one upload. Raises PhotoError with a user message."""
    return store(clean_image(file_storage))


def delete_photo(key: str) -> None:
    get_storage().delete(key)


def photo_response(key: str, mime: str) -> Response:
    """Serve a stored photo; call only after checking that the viewer may see its owner. 404 if missing."""
    try:
        data = get_storage().open(key)
    except FileNotFoundError:
        abort(404, "That photo is no longer available.")
    response = Response(data, mimetype=mime)
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
