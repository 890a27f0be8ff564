"""dkimpy's DKIM signer with its RSA step done by the `cryptography` package (OpenSSL).

dkimpy computes RSA in pure Python: about 6.8 ms of CPU per message for a 2048-bit key. Here dkimpy still
parses the message, canonicalises it, builds and folds the DKIM-Signature header and hashes it; only the
signature of that hash is made by OpenSSL (about 0.6 ms). RSASSA-PKCS1-v1_5 is deterministic, so the header is
byte for byte the one dkimpy makes alone (tests/emailer/test_dkim.py). Imported only when DKIM is configured.
"""
import base64

import dkim
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from dkim.crypto import UnparsableKeyError, parse_pem_private_key


def load_key(pem: bytes) -> rsa.RSAPrivateKey:
    """The RSA private key in `pem` (PKCS#1 or PKCS#8); ValueError when dkimpy or OpenSSL cannot read it."""
    try:
        parse_pem_private_key(pem)  # dkimpy parses it again at each signature: it must read it too
        key = load_pem_private_key(pem, password=None)
    except (UnparsableKeyError, ValueError, IndexError, TypeError):
        raise ValueError("not a PEM RSA private key (PKCS#1 or PKCS#8)") from None
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("not a PEM RSA private key (PKCS#1 or PKCS#8)")
    return key


class OpenSSLSigner(dkim.DKIM):
    """A dkimpy DKIM whose `gen_header` signs the header hash with `key` (rsa-sha256 only)."""

    def __init__(self, message: bytes, key: rsa.RSAPrivateKey, linesep: bytes = b"\r\n"):
        super().__init__(message, signature_algorithm=b"rsa-sha256", linesep=linesep)
        self.key = key

    def gen_header(self, fields, include_headers, canon_policy, header_name, pk, standardize=False):
        """dkimpy's own `gen_header` (1.1.8) for the non-standardised case, with OpenSSL's RSA."""
        assert not standardize and self.signature_algorithm == b"rsa-sha256"
        header_value = b"; ".join(b"=".join(x) for x in fields)
        header_value = dkim.fold(header_value, namelen=len(header_name), linesep=b"\r\n")
        header_value = dkim.RE_BTAG.sub(b"\\1", header_value)
        header = (header_name, b" " + header_value)
        h = self.hasher()
        headers = canon_policy.canonicalize_headers(self.headers)
        self.signed_headers = dkim.hash_headers(h, canon_policy, headers, include_headers, header, dict(fields))
        signature = self.key.sign(h.digest(), padding.PKCS1v15(), Prehashed(hashes.SHA256()))
        fields = [(name, base64.b64encode(signature) if name == b"b" else value) for name, value in fields]
        header_value = b"; ".join(b"=".join(x) for x in fields) + self.linesep
        return dkim.fold(header_value, namelen=len(header_name), linesep=self.linesep)


def sign(message: bytes, selector: bytes, domain: bytes, pem: bytes, key: rsa.RSAPrivateKey,
         include_headers: list[bytes]) -> bytes:
    """The DKIM-Signature header (CRLF-terminated) that `dkim.sign` would give for these arguments."""
    return OpenSSLSigner(message, key).sign(selector, domain, pem, include_headers=include_headers)
