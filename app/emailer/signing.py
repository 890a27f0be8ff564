"""DKIM signing (RFC 6376, OpenSSL's RSA: app/emailer/dkim_signer.py) of every outgoing email, when
DKIM_PRIVATE_KEY_PATH is set (dkimpy and `cryptography` are imported only then).

For operators who relay through their own mail server for their own domain: publish the public key as a TXT
record at <DKIM_SELECTOR>._domainkey.<DKIM_DOMAIN> (README, "DKIM"). Gmail and other providers sign the mail
they relay themselves; then leave these settings empty. The key is read and checked once at start-up
(`settings_problem`), so a bad key stops the app with a message naming the setting, never a send.
"""
import functools
from pathlib import Path

from flask import current_app

# Signed even when absent (dkimpy signs a listed header that is missing as empty), so none can be added on
# the way. RFC 8058 requires List-Unsubscribe and List-Unsubscribe-Post to be covered by the signature.
SIGNED_HEADERS = [b"From", b"To", b"Subject", b"Date", b"Message-ID", b"MIME-Version", b"Content-Type",
                  b"List-Unsubscribe", b"List-Unsubscribe-Post", b"Auto-Submitted"]


def read_private_key(path: str):
    """The RSA private key (PKCS#1 or PKCS#8) at `path`, loaded; ValueError saying what is wrong."""
    from app.emailer.dkim_signer import load_key

    try:
        pem = Path(path).read_bytes()
    except OSError as exc:
        raise ValueError(f"cannot read {path!r}: {exc.strerror or exc}") from None
    try:
        return load_key(pem)
    except ValueError as exc:
        raise ValueError(f"{path!r} is {exc}") from None


def settings_problem(config) -> str | None:
    """Why the DKIM settings in `config` cannot sign (naming the setting), or None when they can or are off."""
    path = config["DKIM_PRIVATE_KEY_PATH"]
    if not path:
        return None
    for name in ("DKIM_SELECTOR", "DKIM_DOMAIN"):
        if not config[name]:
            return f"DKIM_PRIVATE_KEY_PATH is set but {name} is empty: set both, or neither to send unsigned"
    try:
        _key(path)
    except ValueError as exc:
        return f"DKIM_PRIVATE_KEY_PATH: {exc}"
    return None


@functools.cache
def _key(path: str):
    return read_private_key(path)


def sign(message: bytes) -> bytes:
    """`message` (CRLF line ends) with a DKIM-Signature header in front, or as it is when DKIM is off."""
    config = current_app.config
    path = config["DKIM_PRIVATE_KEY_PATH"]
    if not path:
        return message
    from app.emailer import dkim_signer

    return dkim_signer.sign(message, config["DKIM_SELECTOR"].encode(), config["DKIM_DOMAIN"].encode(), _key(path),
                            SIGNED_HEADERS) + message
