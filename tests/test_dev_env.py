"""scripts/dev-env.sh: the environment `make run` gives the app (BASE_URL from the port, short mail delays)."""
import os
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "dev-env.sh"
NAMES = ("BASE_URL", "ISSUE_MAIL_DELAY", "ISSUE_NEW_MAIL_DELAY", "FLASK_RUN_PORT", "MAIL_PORT")


def dev_environment(folder: Path, **environ: str) -> dict[str, str]:
    """What the variables in NAMES are after sourcing the script in `folder` (where a .env may be)."""
    base = {key: value for key, value in os.environ.items() if key not in NAMES + ("APP_ENV",)}
    shown = "; ".join(f'echo "{name}=${{{name}:-}}"' for name in NAMES)
    result = subprocess.run(["bash", "-c", f"set -euo pipefail; source {SCRIPT}; {shown}"], cwd=folder,
                            env={**base, **environ}, capture_output=True, text=True, check=True)
    return dict(line.split("=", 1) for line in result.stdout.splitlines())


def test_base_url_follows_the_port(tmp_path):
    assert dev_environment(tmp_path)["BASE_URL"] == "http://127.0.0.1:5000"
    assert dev_environment(tmp_path, FLASK_RUN_PORT="5077")["BASE_URL"] == "http://127.0.0.1:5077"


def test_a_base_url_set_in_the_environment_or_dot_env_wins(tmp_path):
    assert dev_environment(tmp_path, FLASK_RUN_PORT="5077", BASE_URL="https://res.example.org")["BASE_URL"] == \
        "https://res.example.org"
    (tmp_path / ".env").write_text("SECRET_KEY=x\nexport BASE_URL = https://from-dotenv.example.org\n")
    values = dev_environment(tmp_path, FLASK_RUN_PORT="5077")
    assert "BASE_URL" not in values or values["BASE_URL"] == ""  # left to .env, which the app reads


@pytest.mark.parametrize("name, value", [("ISSUE_MAIL_DELAY", "5"), ("ISSUE_NEW_MAIL_DELAY", "10")])
def test_issue_mail_leaves_within_seconds_unless_configured(tmp_path, name, value):
    assert dev_environment(tmp_path)[name] == value
    assert dev_environment(tmp_path, **{name: "300"})[name] == "300"
    (tmp_path / ".env").write_text(f"{name}=120\n")
    assert dev_environment(tmp_path)[name] == ""


def test_mail_goes_to_the_catcher_whatever_dot_env_says(tmp_path):
    (tmp_path / ".env").write_text("MAIL_PORT=587\n")
    assert dev_environment(tmp_path, MAIL_CATCHER_PORT="2025")["MAIL_PORT"] == "2025"
