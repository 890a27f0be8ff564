"""Every email template, rendered as the worker sends it in each language, scores at most 1.0 under
SpamAssassin's local rules (`spamassassin -L -t`; the threshold for spam is 5.0). Installed by .ci/run (Debian's
spamassassin)."""
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import pytest

from app.config import LANGUAGES
from app.emailer.render import build_message
from app.models.base import utcnow
from tests.emailer.samples import SAMPLES

SPAMASSASSIN = shutil.which("spamassassin")
LIMIT = 1.0
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "email"
needs_spamassassin = pytest.mark.skipif(
    SPAMASSASSIN is None, reason="spamassassin is not installed (apt-get install spamassassin; .ci/run does)")


def rendered(app, language: str = "en") -> dict[str, bytes]:
    with app.app_context():
        return {template: build_message(SimpleNamespace(
            id=index + 1, created_at=utcnow(), template=template, logo=purpose != "alert", purpose=purpose,
            to_address="thandi.mokoena@example.ac.za", context=context, language=language))
            for index, (template, (purpose, context)) in enumerate(SAMPLES.items())}


def score(message: bytes) -> tuple[float, str]:
    """SpamAssassin's score with local rules only (no network tests), and its report."""
    report = subprocess.run([SPAMASSASSIN, "-L", "-t"], input=message, capture_output=True, timeout=120,
                            check=True).stdout.decode("utf-8", "replace")
    found = re.search(r"Content analysis details:\s+\((-?\d+(?:\.\d+)?) points", report)
    assert found, report[-2000:]
    return float(found.group(1)), report.split("Content analysis details:")[-1]


def test_every_template_has_a_sample():
    assert {path.stem for path in TEMPLATES.glob("*.txt")} == set(SAMPLES)


@needs_spamassassin
@pytest.mark.parametrize("language", LANGUAGES)
def test_every_template_scores_at_most_one(app, language):
    messages = rendered(app, language)
    with ThreadPoolExecutor(max_workers=2) as pool:  # about 1.5 s of CPU per message
        results = dict(zip(messages, pool.map(score, messages.values()), strict=True))
    over = {template: report for template, (points, report) in results.items() if points > LIMIT}
    assert not over, "\n\n".join(f"{template}:{report}" for template, report in over.items())


@needs_spamassassin
def test_the_score_can_fail(app):
    """The check sees what filters dislike: the old inline logo beside short text scored 2.0 and more."""
    message = rendered(app)["password_reset"].replace(
        b"<strong style=3D\"display: inline-block;", b"<img src=3D\"cid:logo\" width=3D\"40\"><strong style=3D\"x;")
    points, report = score(message)
    assert points > LIMIT and "HTML_IMAGE_ONLY" in report, report
