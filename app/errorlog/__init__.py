"""The error logger. Interim version: writes to Python logging only (the errorlog issue replaces it)."""
import logging
import traceback

logger = logging.getLogger("rinaibra.errors")


def record(source: str, error_or_message: BaseException | str, details: dict | None = None,
           alert: bool = True) -> None:
    """Record an error; never raises."""
    try:
        if isinstance(error_or_message, BaseException):
            text = "".join(traceback.format_exception(error_or_message))
        else:
            text = str(error_or_message)
        logger.error("%s: %s %s", source, text, details or "")
    except Exception:  # noqa: BLE001 - the logger must never break its caller
        pass


def init_app(app) -> None:
    """Hook the logger into Flask (request hook added by the errorlog issue)."""
