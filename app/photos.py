"""Photo uploads: checked by content, cleaned of metadata, kept in storage, served only by guarded views.

API (used by the issues and move-in blueprints):

- `inspect(files, limit) -> list[Upload]`: the non-empty uploads of a multi-file field, at most `limit`,
  each at most `MAX_PHOTO_BYTES` (5 MB), left in the request's file and checked from its header alone: a real
  JPEG, PNG or WebP image (whatever the file name or the browser's content type says) of at most
  UPLOAD_MAX_PIXELS. Nothing decoded.
- `check_request(uploads)`: the request-wide caps on the inspected uploads of every field together
  (UPLOAD_MAX_PHOTOS images, UPLOAD_MAX_REQUEST_PIXELS pixels to decode: the request's decode budget, where a
  JPEG counts at the reduced scale it is decoded at); still nothing decoded.
- `clean(upload) -> CleanImage`: decode (bounded by the checks above, and by UPLOAD_DECODE_SLOTS decodes at once
  in the process), shrink to MAX_SIDE a band of rows at a time (a plain PNG decoded a strip at a time too: ~30 MB
  for 24 megapixels, ~120 MB for one decoded whole), apply the EXIF orientation, then re-encode the pixels alone,
  so EXIF (GPS included), XMP, ICC and text chunks are gone. Stores nothing.
- `photos_from_request(files, limit=3) -> list[CleanImage]`: inspect, check_request and clean in one go
  (for a form with one photo field); `clean_image(file_storage)` for a single one.
- Each raises `PhotoError` (a ValueError) whose `str()` is a message fit to show the user.
- `store(clean) -> StoredPhoto` and `process_upload(file_storage) -> StoredPhoto` (clean and store in one go):
  `StoredPhoto(key, mime, width, height, size)`; keep those five in your own model row.
- `photo_response(key, mime)`: the response for a view that has ALREADY checked that the viewer may see the
  object owning the photo. Never link storage keys from static/.
- `delete_photo(key)`: remove a stored file (quiet if it is already gone).
- `store` raises `StorageError` when the photo could not be written (disk full, read-only folder); the caller
  rolls back, stores nothing of the form and shows `PHOTOS_NOT_SAVED` above the form, its text kept.

Typical use: validate in the form (`photos_from_request`, or `inspect` per field then `check_request` and
`clean`), and only once the whole form is valid call `store()` for each and add rows in the same transaction
as the object they belong to.
"""
import ctypes
import ctypes.util
import io
import math
import sys
import threading
import typing
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Response, abort, current_app, has_app_context, request
from PIL import Image, ImageOps, UnidentifiedImageError

from app import png_strips
from app.config import SETTINGS
from app.storage import StorageError as StorageError  # raised by store(); views catch it from here
from app.storage import get_storage

MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTOS_NOT_SAVED = ("Your photos could not be saved (a problem on our side), so nothing was sent. What you wrote "
                    "is kept below: please send it again, or send it without photos.")
MAX_SIDE = 2560  # longer side after cleaning; plenty to see a leak, a fraction of the bytes
M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter
DECODE_WAIT_SECONDS = 30  # for a free decode slot, then the form comes back with its text
BUSY = ("The server is busy with other photos just now, so nothing was sent. What you wrote is kept below: "
        "please send it again in a minute.")
FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
SAME_AS = {"MPO": "JPEG"}  # many phone cameras write a JPEG with a second, "multi-picture" frame
LIMITS = ("UPLOAD_MAX_PIXELS", "UPLOAD_MAX_REQUEST_PIXELS", "UPLOAD_MAX_PHOTOS", "UPLOAD_DECODE_SLOTS")
DEFAULTS = {setting.name: setting.default for setting in SETTINGS if setting.name in LIMITS}


class PhotoError(ValueError):
    """An upload that is not an acceptable photo; str(error) is a message for the user."""


@dataclass(frozen=True)
class Upload:
    """One upload whose header was read: its file, format and declared size; no pixel decoded yet. The file is the
    request's own (werkzeug keeps a part past 500 KB on disk): 8 reports with 4 MB photos hold no copy in memory."""

    file: typing.BinaryIO
    fmt: str
    width: int
    height: int
    label: str
    filename: str

    @property
    def pixels(self) -> int:
        return self.width * self.height

    @property
    def decoded_pixels(self) -> int:
        """The pixels `clean` decodes: a JPEG at the smallest of Pillow's draft scales (1/1, 1/2, 1/4, 1/8) whose
        result is still at least MAX_SIDE on its longer side; other formats whole."""
        scale = _draft_scale(self) if self.fmt == "JPEG" else 1
        return math.ceil(self.width / scale) * math.ceil(self.height / scale)


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


def upload_limit(name: str) -> int:
    """An upload limit from the app's settings (the settings' default outside an app)."""
    return int(current_app.config[name]) if has_app_context() else DEFAULTS[name]


def limit_pillow(max_pixels: int) -> None:
    """Pillow refuses outright (DecompressionBombError) what is twice the per-image cap; below that its warning
    is noise, as `inspect_one` refuses anything past the cap from the header."""
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
    _return_freed_images()


def _return_freed_images() -> None:
    """On glibc, allocations from 128 KB up (Pillow's image blocks) are mapped on their own and go back to the
    system when freed. Left alone, glibc raises that threshold after the first large free and each thread's
    arena keeps what its decodes freed: 2 workers x 8 threads decoding one image at a time each peaked at
    460-505 MB in bench_memory's decode-heavy run, 250 MB with this. After each decode, `malloc_trim` gives back
    what the threads' arenas freed meanwhile (the request parsing and encoding around it)."""
    global _trim
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 128 * 1024)
        _trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no mallopt): nothing to tune
        return


_trim = None  # glibc's malloc_trim once limit_pillow found it


def _megapixels(pixels: int) -> str:
    return f"{pixels / 1_000_000:.3g}"


def _limited_file(file_storage) -> typing.BinaryIO:
    """The upload's file at its start, checked to hold 1 byte to MAX_PHOTO_BYTES."""
    file = file_storage.stream
    if not file.seekable():
        file = io.BytesIO(file.read(MAX_PHOTO_BYTES + 1))
    size = file.seek(0, io.SEEK_END)
    if size > MAX_PHOTO_BYTES:
        raise PhotoError(f"{_name(file_storage)} is larger than 5 MB. Please choose a smaller photo.")
    if not size:
        raise PhotoError(f"{_name(file_storage)} is empty.")
    file.seek(0)
    return file


def files_chosen() -> bool:
    """True when the request carries a chosen file: after a failed submit the user must pick it again
    (a browser cannot refill a file input), so the page says so."""
    return any(f.filename for _name, f in request.files.items(multi=True))


def _name(file_storage) -> str:
    return f'"{file_storage.filename}"' if getattr(file_storage, "filename", None) else "The photo"


def _too_many_pixels(label: str, pixels: int) -> PhotoError:
    return PhotoError(f"{label} has too many pixels ({_megapixels(pixels)} megapixels; at most "
                      f"{_megapixels(upload_limit('UPLOAD_MAX_PIXELS'))}). Please choose a smaller photo.")


def inspect_one(file_storage) -> Upload:
    """Read one upload and check it from its header alone (format, declared size); decodes nothing."""
    label = _name(file_storage)
    file = _limited_file(file_storage)
    try:
        with Image.open(file) as probe:  # reads the header only
            fmt = SAME_AS.get(probe.format or "", probe.format)
            width, height = probe.size
            probe.verify()  # structural check without decoding the pixels
    except Image.DecompressionBombError as exc:  # far past even Pillow's own cap
        raise PhotoError(f"{label} has too many pixels. Please choose a smaller photo.") from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise PhotoError(f"{label} is not a JPEG, PNG or WebP image.") from exc
    if fmt not in FORMATS:
        raise PhotoError(f"{label} is not a JPEG, PNG or WebP image.")
    if width * height > upload_limit("UPLOAD_MAX_PIXELS"):
        raise _too_many_pixels(label, width * height)
    return Upload(file, fmt, width, height, label, getattr(file_storage, "filename", "") or "")


def chosen(files) -> list:
    """The uploads of a multi-file field that carry a file (an empty file input sends one without a name)."""
    return [f for f in (files or []) if f and getattr(f, "filename", "")]


def inspect(files, limit: int) -> list[Upload]:
    """The chosen uploads of one field, at most `limit`, each checked from its header (nothing decoded)."""
    picked = chosen(files)
    if len(picked) > limit:
        raise PhotoError(f"Please attach at most {limit} photos.")
    check_count(len(picked))
    return [inspect_one(f) for f in picked]


def check_count(count: int) -> None:
    most = upload_limit("UPLOAD_MAX_PHOTOS")
    if count > most:
        raise PhotoError(f"{count} photos were sent at once; at most {most} can be. Please send fewer at a time.")


def check_request(uploads: list[Upload]) -> None:
    """The caps on all uploads of one request together: how many, and how many pixels to decode in all."""
    check_count(len(uploads))
    total, most = sum(u.decoded_pixels for u in uploads), upload_limit("UPLOAD_MAX_REQUEST_PIXELS")
    if total > most:
        raise PhotoError(f"Together these photos have too many pixels ({_megapixels(total)} megapixels; at most "
                         f"{_megapixels(most)} at once). Please send fewer or smaller photos.")


def _draft_scale(upload: Upload) -> int:
    """The divisor Pillow's JPEG `draft` picks for the size `_decode` asks for (JpegImagePlugin.draft)."""
    scale = max(upload.width, upload.height) / MAX_SIDE
    if scale <= 1:
        return 1
    asked = (int(upload.width / scale), int(upload.height / scale))
    fits = min(upload.width // asked[0], upload.height // asked[1])
    return next(divisor for divisor in (8, 4, 2, 1) if fits >= divisor)


def _decode(upload: Upload) -> Image.Image:
    upload.file.seek(0)
    image = Image.open(upload.file)
    if upload.fmt == "JPEG":  # decode at the smallest scale (1/2, 1/4, 1/8) still bigger than the result
        scale = max(upload.width, upload.height) / MAX_SIDE
        if scale > 1:
            image.draft("RGB", (int(upload.width / scale), int(upload.height / scale)))
    return image


def _pixels_only(upload: Upload) -> Image.Image:
    """A new image holding the pixels alone: no EXIF, GPS, XMP, ICC profile or text chunks; at most MAX_SIDE on its
    longer side and upright. Converted and shrunk a band of rows at a time, so beside the result only one band
    lives, and the source's strips that band reaches when the source is a plain PNG (app/png_strips.py). A 6,000 x
    4,000 PNG costs 17.5 MB and a few strips, not its 96 MB decoded + 49 MB for Pillow's whole-image resize."""
    image = _decode(upload)
    source = png_strips.strips(upload.file) if upload.fmt == "PNG" else None
    if source is None:  # decoded whole; its EXIF may follow the pixels (a PNG's eXIf chunk)
        orientation = image.getexif().get(ImageOps.ExifTags.Base.Orientation)
        source = _cut(image)
    else:  # png_strips takes no PNG with EXIF or XMP after its pixels: its header holds them
        orientation = Image.Image.getexif(image).get(ImageOps.ExifTags.Base.Orientation)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    result = _shrunk(source, image.size, "RGBA" if has_alpha else "RGB")
    return result.transpose(TURNS[orientation]) if orientation in TURNS else result


TURNS = {2: Image.Transpose.FLIP_LEFT_RIGHT, 3: Image.Transpose.ROTATE_180, 4: Image.Transpose.FLIP_TOP_BOTTOM,
         5: Image.Transpose.TRANSPOSE, 6: Image.Transpose.ROTATE_270, 7: Image.Transpose.TRANSVERSE,
         8: Image.Transpose.ROTATE_90}  # EXIF orientation -> the turn that shows the photo upright
BAND_ROWS = 64  # rows of the result made at a time


def _cut(image: Image.Image) -> Iterator[Image.Image]:
    """A decoded image as strips of rows, top to bottom."""
    for top in range(0, image.height, png_strips.STRIP_ROWS):
        yield image.crop((0, top, image.width, min(top + png_strips.STRIP_ROWS, image.height)))


def _shrunk(source: Iterator[Image.Image], size: tuple[int, int], mode: str) -> Image.Image:
    """The image whose strips of rows `source` yields, of `size`, in `mode` and fitted within MAX_SIDE x MAX_SIDE
    as `thumbnail` would (bicubic, rows after columns), built band by band: each band of the result resamples only
    the source rows its filter reaches, and strips above them are let go."""
    width, height = size
    fitted = _fitted(width, height)
    result = Image.new(mode, fitted, None)  # not cleared: every band is pasted in
    step = height / fitted[1]
    reach = math.ceil(2 * step) + 1 if fitted != size else 0  # the bicubic filter's support, in source rows
    window: list[tuple[int, Image.Image]] = []  # (first row, strip in `mode`)
    read = 0
    for first in range(0, fitted[1], BAND_ROWS):
        last = min(first + BAND_ROWS, fitted[1])
        top, bottom = first * step, last * step
        crop_top, crop_bottom = max(0, math.floor(top) - reach), min(height, math.ceil(bottom) + reach)
        while read < crop_bottom:
            strip = _in_mode(next(source), mode)
            window.append((read, strip))
            read += strip.height
        window = [(row, strip) for row, strip in window if row + strip.height > crop_top]
        band = Image.new(mode, (width, crop_bottom - crop_top), None)
        for row, strip in window:
            band.paste(strip, (0, row - crop_top))
        if fitted != size:
            band = band.resize((fitted[0], last - first), Image.Resampling.BICUBIC,
                               box=(0, top - crop_top, width, bottom - crop_top))
        result.paste(band, (0, first))
    return result


def _fitted(width: int, height: int) -> tuple[int, int]:
    """The size `thumbnail((MAX_SIDE, MAX_SIDE))` gives: the aspect ratio kept, rounded the way closest to it."""
    if width <= MAX_SIDE and height <= MAX_SIDE:
        return width, height
    aspect = width / height
    if aspect <= 1:
        return max(min(math.floor(MAX_SIDE * aspect), math.ceil(MAX_SIDE * aspect),
                       key=lambda n: abs(aspect - n / MAX_SIDE)), 1), MAX_SIDE
    return MAX_SIDE, max(min(math.floor(MAX_SIDE / aspect), math.ceil(MAX_SIDE / aspect),
                             key=lambda n: abs(aspect - MAX_SIDE / n) if n else 0), 1)


def _in_mode(image: Image.Image, mode: str) -> Image.Image:
    if image.mode.startswith("I;16") or image.mode == "I":  # 16-bit greyscale: scale down, do not clip
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    return image if image.mode == mode else image.convert(mode)


_slots: dict[int, threading.BoundedSemaphore] = {}
_slots_lock = threading.Lock()


@contextmanager
def _decode_slot():
    """One of the process's UPLOAD_DECODE_SLOTS decodes; PhotoError(BUSY) after DECODE_WAIT_SECONDS without."""
    count = upload_limit("UPLOAD_DECODE_SLOTS")
    with _slots_lock:
        slots = _slots.setdefault(count, threading.BoundedSemaphore(count))
    if not slots.acquire(timeout=DECODE_WAIT_SECONDS):
        raise PhotoError(BUSY)
    try:
        yield
    finally:
        if _trim is not None:
            _trim(0)
        slots.release()


def clean(upload: Upload) -> CleanImage:
    """Decode an inspected upload and re-encode its pixels alone (see the module docstring), in a decode slot."""
    with _decode_slot():
        try:
            image = _pixels_only(upload)
        except (OSError, ValueError, SyntaxError) as exc:
            raise PhotoError(f"{upload.label} could not be read as an image.") from exc
        mime, suffix = FORMATS[upload.fmt]
        out = io.BytesIO()
        if upload.fmt == "JPEG":
            image.save(out, "JPEG", quality=85, optimize=True)
        elif upload.fmt == "PNG":
            image.save(out, "PNG", optimize=True)
        else:
            image.save(out, "WEBP", quality=85)
    return CleanImage(out.getvalue(), mime, suffix, image.width, image.height, upload.filename)


def clean_image(file_storage) -> CleanImage:
    """Check one upload by content and re-encode it without metadata."""
    return clean(inspect_one(file_storage))


def photos_from_request(files, limit: int = 3) -> list[CleanImage]:
    """Check the non-empty uploads of a multi-file field (at most `limit`), all before decoding any."""
    uploads = inspect(files, limit)
    check_request(uploads)
    return [clean(upload) for upload in uploads]


def store(image: CleanImage) -> StoredPhoto:
    key = get_storage().save(image.data, image.suffix)
    return StoredPhoto(key, image.mime, image.width, image.height, len(image.data))


def process_upload(file_storage) -> StoredPhoto:
    """Check, clean and store one upload. Raises PhotoError with a user message."""
    return store(clean_image(file_storage))


def delete_photo(key: str) -> None:
    get_storage().delete(key)


def photo_response(key: str, mime: str) -> Response:
    """Serve a stored photo; call only after checking that the viewer may see its owner. 404 if missing."""
    try:
        photo = get_storage().stream(key)
    except FileNotFoundError:
        abort(404, "That photo is no longer available.")
    response = Response(photo.chunks, mimetype=mime)  # one chunk in memory at a time
    response.content_length = photo.size
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Content-Security-Policy"] = "default-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    return response
