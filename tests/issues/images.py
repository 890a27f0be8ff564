"""Test images made on the fly: real JPEG/PNG/WebP bytes, some with GPS EXIF."""
import io

from PIL import Image

GPS_IFD = 0x8825


def image_bytes(fmt: str = "JPEG", size=(64, 48), color=(200, 30, 30), gps: bool = False,
                orientation: int | None = None) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    if gps:
        exif[0x010F] = "PhoneMaker"  # Make
        gps_ifd = exif.get_ifd(GPS_IFD)
        gps_ifd[1] = "S"
        gps_ifd[2] = (33.0, 55.0, 12.0)
        gps_ifd[3] = "E"
        gps_ifd[4] = (18.0, 25.0, 3.0)
    if orientation:
        exif[0x0112] = orientation
    out = io.BytesIO()
    kwargs = {"exif": exif.tobytes()} if (gps or orientation) else {}
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    return image_bytes("JPEG", gps=True)
