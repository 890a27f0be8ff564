"""A plain PNG's rows decoded a strip at a time, so a photo's cleaning never holds all its pixels at once.

`strips(file) -> Iterator[Image] | None`: for a PNG of 8 bits a sample, not interlaced and not animated, with no
EXIF or XMP after its pixels, the images of STRIP_ROWS rows each, top to bottom (palette and transparency kept); None
for any other file (the caller decodes it whole). Each strip is a small PNG made of the stream's own filtered rows,
preceded by the previous strip's last row unfiltered (PNG filters read the row above), that Pillow decodes.
Raises OSError when the pixel data ends early or is not a deflate stream.
"""
import io
import struct
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from PIL import Image

SIGNATURE = b"\x89PNG\r\n\x1a\n"
RAW_MODES = {0: "L", 2: "RGB", 3: "P", 4: "LA", 6: "RGBA"}  # colour type -> Pillow's raw mode at 8 bits a sample
KEPT = (b"PLTE", b"tRNS")  # what each strip needs of the header
TEXT = (b"tEXt", b"zTXt", b"iTXt")
ORIENTING = (b"Raw profile type exif", b"XML:com.adobe.xmp")  # text keywords Pillow reads an EXIF orientation from
STRIP_ROWS = 64


def _chunks(file: BinaryIO) -> list[tuple[bytes, int, int]]:
    """(type, offset of its data, length) of every chunk, read from their headers alone."""
    file.seek(len(SIGNATURE))
    found = []
    while len(header := file.read(8)) == 8:
        length, kind = struct.unpack(">I4s", header)
        found.append((kind, file.tell(), length))
        if kind == b"IEND":
            break
        file.seek(length + 4, io.SEEK_CUR)
    return found


def _orienting(file: BinaryIO, chunk: tuple[bytes, int, int]) -> bool:
    """Whether a chunk after the pixels may hold an EXIF orientation (only a whole decode reads those)."""
    kind, offset, length = chunk
    return kind == b"eXIf" or kind in TEXT and _read(file, offset, min(length, 80)).split(b"\0")[0] in ORIENTING


def _read(file: BinaryIO, offset: int, length: int) -> bytes:
    file.seek(offset)
    return file.read(length)


def strips(file: BinaryIO) -> Iterator[Image.Image] | None:
    file.seek(0)
    if file.read(len(SIGNATURE)) != SIGNATURE:
        return None
    chunks = _chunks(file)
    kinds = [kind for kind, _offset, _length in chunks]
    if not kinds or kinds[0] != b"IHDR" or b"IDAT" not in kinds or b"acTL" in kinds:
        return None
    if any(_orienting(file, chunk) for chunk in chunks[len(kinds) - kinds[::-1].index(b"IDAT"):]):
        return None
    width, height, depth, colour, _compression, _filter, interlace = struct.unpack(
        ">IIBBBBB", _read(file, chunks[0][1], 13))
    if depth != 8 or interlace or colour not in RAW_MODES:
        return None
    kept = [(kind, _read(file, offset, length)) for kind, offset, length in chunks if kind in KEPT]
    pixels = [(offset, length) for kind, offset, length in chunks if kind == b"IDAT"]
    return _decoded(file, pixels, (width, height), colour, kept)


def _decoded(file, pixels, size, colour, kept) -> Iterator[Image.Image]:
    width, height = size
    raw_mode = RAW_MODES[colour]
    stride = 1 + width * len(raw_mode)  # the filter byte, then one byte a sample
    inflate, pending, above, done = zlib.decompressobj(), bytearray(), b"", 0
    data = (_read(file, offset, length) for offset, length in pixels)
    while done < height:
        rows = min(STRIP_ROWS, height - done)
        while len(pending) < rows * stride:
            chunk = inflate.unconsumed_tail or next(data, None)
            if chunk is None:
                raise OSError("the PNG's pixels end early")
            try:
                pending += inflate.decompress(chunk, STRIP_ROWS * stride)
            except zlib.error as exc:  # a stream whose chunks' checksums hold but whose deflate data does not
                raise OSError("the PNG's pixels are not a deflate stream") from exc
        filtered = (b"\0" + above if above else b"") + pending[:rows * stride]
        del pending[:rows * stride]
        strip = Image.open(io.BytesIO(_png(width, rows + bool(above), colour, kept, zlib.compress(filtered, 1))))
        strip.load()
        if above:
            strip = strip.crop((0, 1, width, rows + 1))
        above = strip.crop((0, rows - 1, width, rows)).tobytes("raw", raw_mode)
        done += rows
        yield strip


def _png(width: int, height: int, colour: int, kept: list[tuple[bytes, bytes]], compressed: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    return SIGNATURE + b"".join(_chunk(kind, data) for kind, data in [(b"IHDR", header), *kept, (b"IDAT", compressed),
                                                                       (b"IEND", b"")])


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
