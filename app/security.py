"""Security steps of the app factory: the upload caps that protect the workers."""
from flask import Flask

from app.photos import limit_pillow


def init_app(app: Flask) -> None:
    limit_pillow(app.config["UPLOAD_MAX_PIXELS"])
