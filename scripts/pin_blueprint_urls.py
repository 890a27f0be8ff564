"""Write tests/main/blueprint_urls.py from the app's URL map (run after adding or removing a route on purpose):
    .venv/bin/python scripts/pin_blueprint_urls.py
"""
import pprint
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402
from tests.main.test_blueprints import urls_by_blueprint  # noqa: E402

app = create_app({"TESTING": True, "SECRET_KEY": "pin", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                  "ALLOWED_EMAIL_DOMAINS": ["example.ac.za"]})
(ROOT / "tests/main/blueprint_urls.py").write_text(
    '"""Each blueprint\'s URLs ("METHODS rule"), pinned for tests/main/test_blueprints.py; written by\n'
    'scripts/pin_blueprint_urls.py."""\n'
    "URLS = " + pprint.pformat(urls_by_blueprint(app), width=115) + "\n")
