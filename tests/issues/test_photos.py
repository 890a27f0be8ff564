"""The photo pipeline: content checks, metadata stripping, storage."""
import io

import pytest
from PIL import Image, ImageChops
from werkzeug.datastructures import FileStorage

from app.photos import MAX_PHOTO_BYTES, PhotoError, clean_image, delete_photo, photos_from_request, process_upload
from app.storage import LocalFolderStorage, get_storage
from tests.issues.images import GPS_IFD, image_bytes, jpeg_with_gps


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg") -> FileStorage:
    return FileStorage(io.BytesIO(data), filename=name, content_type=content_type)


@pytest.mark.parametrize("fmt, mime", [("JPEG", "image/jpeg"), ("PNG", "image/png"), ("WEBP", "image/webp")])
def test_accepts_the_three_formats_by_content(app, fmt, mime):
    with app.test_request_context():
        stored = process_upload(upload(image_bytes(fmt), name="misleading.txt", content_type="text/plain"))
        assert stored.mime == mime
        assert (stored.width, stored.height) == (64, 48)
        data = get_storage().open(stored.key)
        assert len(data) == stored.size
        assert Image.open(io.BytesIO(data)).format == fmt


def test_gps_and_exif_are_stripped(app):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the fixture really has GPS
    with app.test_request_context():
        stored = process_upload(upload(original))
        cleaned = Image.open(io.BytesIO(get_storage().open(stored.key)))
        assert not cleaned.getexif()
        assert "exif" not in cleaned.info
        assert b"PhoneMaker" not in get_storage().open(stored.key)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])  # a PNG's eXIf chunk before its pixels: decoded in strips
def test_orientation_is_applied_before_exif_goes(app, fmt):
    rotated = image_bytes(fmt, size=(60, 20), orientation=6)  # 90 degrees: shown as 20x60
    clean = clean_image(upload(rotated, name=f"photo.{fmt.lower()}"))
    assert (clean.width, clean.height) == (20, 60) and b"eXIf" not in clean.data


@pytest.mark.parametrize("data, name", [
    (b"<?php echo 'hi'; ?>", "photo.jpg"),
    (b"GIF89a" + b"\x00" * 40, "photo.gif"),
    (image_bytes("GIF"), "animated.gif"),
    (image_bytes("BMP"), "photo.png"),
    (image_bytes("JPEG")[:200], "truncated.jpg"),
    (b"", "empty.jpg"),
])
def test_rejects_what_is_not_a_jpeg_png_or_webp(data, name):
    with pytest.raises(PhotoError) as caught:
        clean_image(upload(data, name=name))
    assert str(caught.value)


def test_rejects_more_than_5_mb():
    big = image_bytes("PNG") + b"\x00" * MAX_PHOTO_BYTES
    with pytest.raises(PhotoError, match="larger than 5 MB"):
        clean_image(upload(big, name="big.png"))


def test_at_most_three_photos_and_empty_fields_ignored():
    empty = FileStorage(io.BytesIO(b""), filename="")
    assert len(photos_from_request([upload(image_bytes()), empty])) == 1
    with pytest.raises(PhotoError, match="at most 3"):
        photos_from_request([upload(image_bytes()) for _ in range(4)])


def test_local_storage_refuses_path_tricks_and_deletes(tmp_path, app):
    storage = LocalFolderStorage(tmp_path)
    key = storage.save(b"abc", ".jpg")
    assert storage.open(key) == b"abc"
    for bad in ["../../etc/passwd", key + "/..", "/etc/passwd"]:
        with pytest.raises(FileNotFoundError):
            storage.open(bad)
    storage.delete(key)
    storage.delete(key)
    with pytest.raises(FileNotFoundError):
        storage.open(key)
    with app.test_request_context():
        delete_photo("not-a-key")


def test_pixel_bomb_is_refused_before_decoding():
    bomb = io.BytesIO()
    Image.new("1", (10_000, 5_000)).save(bomb, "PNG")  # tiny file, 50 megapixels
    assert len(bomb.getvalue()) < MAX_PHOTO_BYTES
    with pytest.raises(PhotoError, match="too many pixels"):
        clean_image(upload(bomb.getvalue(), name="bomb.png"))


def test_multi_picture_jpeg_from_a_phone_is_accepted_as_jpeg_without_its_exif():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, "MPO", save_all=True, exif=exif.tobytes(),
                                          append_images=[Image.new("RGB", (64, 48), "blue")])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"  # what Pillow calls such a JPEG
    clean = clean_image(upload(out.getvalue()))
    assert clean.mime == "image/jpeg" and (clean.width, clean.height) == (64, 48)
    cleaned = Image.open(io.BytesIO(clean.data))
    assert cleaned.format == "JPEG" and not cleaned.getexif() and b"PhoneMaker" not in clean.data


def test_16_bit_greyscale_png_keeps_its_shades():
    out = io.BytesIO()
    Image.new("I;16", (40, 30), 32768).save(out, "PNG")  # mid grey in 16 bits
    clean = clean_image(upload(out.getvalue(), name="scan.png", content_type="image/png"))
    assert clean.mime == "image/png"
    red, green, blue = Image.open(io.BytesIO(clean.data)).getpixel((0, 0))
    assert red == green == blue == 128


@pytest.mark.parametrize("size, mode", [((3000, 2000), "RGB"), ((1000, 4100), "RGBA"), ((2600, 2600), "P"),
                                        ((900, 600), "RGB")])
def test_large_photos_shrink_band_by_band_as_one_resize_would(size, mode):
    """At most MAX_SIDE on the longer side, the size `thumbnail` gives, the pixels of a whole-image bicubic resize,
    rows after columns (built a band of rows at a time so the decoded image is never copied whole)."""
    from app import photos

    source = Image.effect_noise(size, 60).convert(mode if mode != "P" else "L")
    source = source.convert("P") if mode == "P" else source
    expected = source.copy()
    expected.thumbnail((photos.MAX_SIDE, photos.MAX_SIDE))
    target = "RGBA" if mode == "RGBA" else "RGB"
    shrunk = photos._shrunk(photos._cut(source), source.size, target)
    assert shrunk.size == expected.size and shrunk.mode == target
    whole = source.convert(target).resize((shrunk.width, source.height), Image.Resampling.BICUBIC)
    whole = whole.resize(shrunk.size, Image.Resampling.BICUBIC)
    worst = max(high for _low, high in ImageChops.difference(whole, shrunk).getextrema())
    assert worst <= 1


def test_an_upload_is_decoded_from_the_request_file_not_a_copy():
    data = image_bytes("PNG", size=(60, 20))
    storage = upload(data, name="a.png", content_type="image/png")
    from app.photos import inspect_one

    assert inspect_one(storage).file is storage.stream
