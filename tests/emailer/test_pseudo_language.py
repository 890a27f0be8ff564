"""Every email template in the pseudo-language (tests/pseudo.py): the subject and each line of the text and
HTML parts came through the catalogs; only the context's data (names, titles, links) is left outside them."""
import pytest

from app.emailer.render import render_parts
from tests.conftest import settings_for, with_pseudo_language
from tests.emailer.samples import SAMPLES
from tests.pseudo import PSEUDO, context_text, untranslated_html, untranslated_text


@pytest.fixture
def app(database_url, _schema, tmp_path, pseudo_translations):
    from app import create_app

    return create_app(with_pseudo_language(settings_for(database_url, tmp_path), pseudo_translations))


@pytest.mark.parametrize("template", sorted(SAMPLES))
def test_every_text_of_every_email_is_translated(app, template):
    purpose, context = SAMPLES[template]
    data = context_text(context)
    with app.app_context():
        from flask_babel import force_locale

        with force_locale(PSEUDO):
            subject, text, html = render_parts(template, context, logo=True,
                                               unsubscribe_url="http://localhost/unsubscribe/t")
    found = [f"subject: {subject!r}"] if untranslated_text(subject, data) else []
    found += [f"text: {line!r}" for line in untranslated_text(text, data)]
    found += [f"html: {line!r}" for line in untranslated_html(html, data)]
    assert not found, f"{template}: text outside the catalogs:\n" + "\n".join(found)

