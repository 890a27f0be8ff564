"""A plain PNG decoded a strip at a time gives the whole decode's pixels; other PNGs are left to a whole decode."""
import io
import struct
import zlib

import pytest
from PIL import Image, ImageChops

from app import png_strips


def png(mode: str, size=(150, 140), **options) -> bytes:
    image = Image.effect_noise(size, 80).convert("RGB")
    image = image.quantize(40) if mode == "P" else image.convert(mode)
    if mode in ("RGBA", "LA"):
        image.putalpha(Image.linear_gradient("L").resize(size))
    out = io.BytesIO()
    image.save(out, "PNG", **options)
    return out.getvalue()


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "P"])
@pytest.mark.parametrize("optimize", [False, True])  # optimize: Pillow picks each row's filter (Paeth and all)
def test_strips_give_the_whole_decodes_pixels(mode, optimize):
    data = png(mode, optimize=optimize, **({"transparency": 3} if mode == "P" else {}))
    whole = Image.open(io.BytesIO(data))
    whole.load()
    strips = list(png_strips.strips(io.BytesIO(data)))
    assert len(strips) == 3 and [s.width for s in strips] == [150] * 3 and sum(s.height for s in strips) == 140
    row = 0
    for strip in strips:
        assert strip.mode == whole.mode and strip.info.get("transparency") == whole.info.get("transparency")
        part = whole.crop((0, row, 150, row + strip.height))
        assert not ImageChops.difference(part.convert("RGBA"), strip.convert("RGBA")).getbbox()
        row += strip.height


@pytest.mark.parametrize("options", [{"interlace": 1}, {"mode": "I;16"}, {"mode": "1"}, {"late_exif": True}])
def test_other_pngs_are_left_to_a_whole_decode(options):
    image = Image.new(options.get("mode", "RGB"), (20, 10))
    out = io.BytesIO()
    image.save(out, "PNG")
    data = out.getvalue()
    if "interlace" in options:  # Pillow writes no interlaced PNG: its header says Adam7 (decoded whole, by Pillow)
        header = data[16:28] + b"\x01"
        data = data[:8] + png_strips._chunk(b"IHDR", header) + data[33:]
    if "late_exif" in options:  # an eXIf chunk after the pixels
        exif = Image.Exif()
        exif[0x0112] = 6
        data = data[:-12] + png_strips._chunk(b"eXIf", exif.tobytes()) + data[-12:]
    assert png_strips.strips(io.BytesIO(data)) is None


def test_text_after_the_pixels_is_no_reason_for_a_whole_decode():
    data = png("RGB")  # ImageMagick writes its dates after the pixels
    data = data[:-12] + png_strips._chunk(b"tEXt", b"date:create\0" + b"2026-12-07") + data[-12:]
    assert sum(strip.height for strip in png_strips.strips(io.BytesIO(data))) == 140
    xmp = data[:-12] + png_strips._chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0<x/>") + data[-12:]
    assert png_strips.strips(io.BytesIO(xmp)) is None


def test_pixels_that_end_early_are_an_error():
    data = png("RGB", size=(200, 200))
    idat = data.index(b"IDAT")
    cut = data[:idat + 4 + 2000]  # the chunk's header says more than follows
    with pytest.raises(OSError):
        list(png_strips.strips(io.BytesIO(cut)))


def test_pixels_that_are_not_deflate_data_are_an_error_and_the_upload_is_refused(app):
    """Chunk checksums that hold (Pillow's verify passes) around IDAT bytes that are not a deflate stream."""
    from werkzeug.datastructures import FileStorage

    from app.photos import PhotoError, clean, inspect_one

    data = bytearray(png("RGB", size=(200, 200)))
    kind = data.index(b"IDAT")
    end = kind + 4 + struct.unpack(">I", data[kind - 4:kind])[0]
    for at in range(kind + 14, end - 10, 7):
        data[at] ^= 0x5A
    data[end:end + 4] = struct.pack(">I", zlib.crc32(bytes(data[kind:end])))
    with pytest.raises(OSError):
        list(png_strips.strips(io.BytesIO(bytes(data))))
    with app.test_request_context(), pytest.raises(PhotoError, match="could not be read as an image"):
        clean(inspect_one(FileStorage(io.BytesIO(bytes(data)), "tap.png", content_type="image/png")))
