"""Memory per process (issue 24): a worker started with the default settings (folder photo store, no DKIM, no
university sign-in) does not import the optional stores and signers (boto3 and botocore: 34 MB, dkimpy), alembic
(Flask-Migrate, for `flask db` only), zxcvbn (loaded by the first password checked), Authlib and requests (only
with OIDC_ISSUER), cryptography (unsubscribe links, PyMySQL's RSA password exchange: 9 MB), aiosmtpd (the
catcher), segno (QR posters) or ua_parser (the sessions page), even after answering pages."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = ["boto3", "botocore", "dkim", "app.emailer.dkim_signer", "alembic", "flask_migrate", "zxcvbn",
            "authlib", "requests", "joserfc", "cryptography", "aiosmtpd", "segno", "ua_parser"]
PROBE = """
import json, sys
from wsgi import app
client = app.test_client()
pages = [client.get(path).status_code for path in ("/healthz", "/login", "/register")]
print(json.dumps({"pages": pages, "loaded": [name for name in json.loads(sys.argv[1]) if name in sys.modules]}))
"""


def loaded_after_start(database_url: str, tmp_path, **settings: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": "test-secret", "INSTANCE_PATH": str(tmp_path),
           "ALLOWED_EMAIL_DOMAINS": "example.ac.za", "BASE_URL": "http://localhost", **settings}
    for name in ("APP_ENV", "PHOTO_STORE", "DKIM_PRIVATE_KEY_PATH", "FLASK_APP"):
        if name not in settings:
            env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", PROBE, json.dumps(OPTIONAL)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.usefixtures("_schema")
def test_default_settings_load_no_optional_store_signer_or_migration_tool(database_url, tmp_path):
    started = loaded_after_start(database_url, tmp_path)
    assert started["pages"] == [200, 200, 200]
    assert started["loaded"] == []


@pytest.mark.usefixtures("_schema")
def test_the_first_password_checked_loads_zxcvbn(app):
    from app.auth.rules import password_problem

    assert password_problem("password123") is not None
    assert "zxcvbn" in sys.modules


RSA_PROBE = """
import sys
from app.db_setup import load_pymysql_lazily
load_pymysql_lazily()
from pymysql import _auth
assert "cryptography" not in sys.modules
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
salt = b"0123456789abcdefghij"
sealed = _auth.sha2_rsa_encrypt(b"secret", salt, public)
oaep = padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None)
assert key.decrypt(sealed, oaep) == _auth._xor_password(b"secret\\0", salt)
print("ok")
"""


def test_pymysql_loaded_without_cryptography_still_encrypts_a_password_for_sha2_authentication():
    done = subprocess.run([sys.executable, "-c", RSA_PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
