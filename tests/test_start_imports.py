"""Memory per process (issue 24): a worker started with the default settings (folder photo store, no DKIM) does
not import the optional stores and signers (boto3 and botocore: 34 MB, dkimpy), alembic (Flask-Migrate, for
`flask db` only) or zxcvbn (loaded by the first password checked), even after answering pages."""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OPTIONAL = ["boto3", "botocore", "dkim", "app.emailer.dkim_signer", "alembic", "flask_migrate", "zxcvbn"]
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
