"""Forms of the developers' house pages. They carry the input (kept on a refusal) and the CSRF token; the rules
are app/house_setup.py's and app/dev/houses.py's, which name the field a refusal belongs to."""
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField

from app.house_setup import AREA_MAX, NAME_MAX, ROOMS_SPEC_MAX, SLUG_MAX, HouseError


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _text(label: str, limit: int, **kw) -> StringField:
    return StringField(label, filters=[_strip], render_kw={"maxlength": limit, **kw})


class RefusableForm(FlaskForm):
    def refuse(self, error: HouseError, text: str) -> None:
        """Show `text` (the refusal) on the field it names, or above the form."""
        field = self._fields.get(error.field or "")
        (field.errors if field is not None else self.form_errors).append(text)


class NewHouseForm(RefusableForm):
    name = _text("House name", NAME_MAX)
    slug = _text("Slug (its address: /r/slug)", SLUG_MAX, autocapitalize="none", spellcheck="false")
    rooms = _text("Rooms", ROOMS_SPEC_MAX, autocapitalize="none")
    areas = _text("Common areas (optional)", 1000)


class HouseNameForm(RefusableForm):
    name = _text("House name", NAME_MAX)


class ContactsForm(RefusableForm):
    admin_email = EmailField("Admins' address", filters=[_strip], render_kw={"maxlength": 254})
    emergency_phone = _text("Emergency number", 40, inputmode="tel")


class LanguageForm(RefusableForm):
    """The house's default language (choices set by the page: "" for none, then each offered language)."""
    language = SelectField("Language of emails to its students who chose none", validate_choice=False)


class RoomsForm(RefusableForm):
    rooms = _text("Room numbers", ROOMS_SPEC_MAX, autocapitalize="none")


class AreaForm(RefusableForm):
    area = _text("Common area", AREA_MAX)


class AdminForm(RefusableForm):
    email = EmailField("Email", filters=[_strip], render_kw={"maxlength": 254})
    name = _text("Name (for a new account)", 120)


class RemoveHouseForm(RefusableForm):
    confirm = _text("Type the slug to confirm", SLUG_MAX, autocapitalize="none", spellcheck="false")
