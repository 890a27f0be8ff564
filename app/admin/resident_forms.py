"""Forms of /admin/residents: add a student, rename, move to another room, upload a roster, apply it."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.admin.forms import room_in_house
from app.auth.roster import email_problem
from app.auth.rules import name_problem
from app.issues.forms import no_control_chars


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _name_rule(form, field) -> None:
    if problem := name_problem(field.data or ""):
        raise ValidationError(problem[0].upper() + problem[1:] + ".")


def _name_field():
    return StringField(_l("Name"), filters=[_strip], validators=[_name_rule], render_kw={"maxlength": 120})


class _InHouse(FlaskForm):
    """A house of the admin's and, for the room forms, a room in it."""

    house = SelectField(_l("House"), validate_choice=False, validators=[InputRequired(_l("Choose a house."))])

    @classmethod
    def for_admin(cls, admin, formdata=None, **data):
        form = cls(formdata=formdata, data=data or None)
        form.house.choices = [SelectChoice(h.slug, h.name) for h in admin.admin_houses]
        form.houses = {h.slug: h for h in admin.admin_houses}
        return form

    def validate_house(self, field) -> None:
        if field.data not in self.houses:
            raise ValidationError(_l("There is no such house among yours."))


class _RoomInHouse(_InHouse):
    room = StringField(_l("Room"), filters=[_strip], render_kw={"maxlength": 20}, validators=[
        DataRequired(_l("Give the room number.")), Length(max=20), no_control_chars])
    shared = BooleanField(_l("This is a shared room: place them even if another student already lives there"))

    validate_room = room_in_house


class AddResidentForm(_RoomInHouse):
    name = _name_field()
    email = EmailField(_l("University email"), filters=[lambda v: _strip(v).lower() if isinstance(v, str) else v],
                       validators=[DataRequired(_l("Give their email address.")), Length(max=254)])

    def validate_email(self, field) -> None:
        if problem := email_problem(field.data):
            raise ValidationError(problem[0].upper() + problem[1:] + ".")


class MoveForm(_RoomInHouse):
    reason = StringField(_l("Reason (optional, kept in the room history)"), filters=[_strip],
                         render_kw={"maxlength": 200}, validators=[Length(max=200), no_control_chars])


class NameForm(FlaskForm):
    name = _name_field()


class RosterUploadForm(_InHouse):
    file = FileField(_l("Roster file (CSV with columns email,name,room; optionally language)"),
                     validators=[FileRequired(_l("Choose a file."))])


class RosterApplyForm(FlaskForm):
    plan = HiddenField(validators=[DataRequired()])
    retire = BooleanField(_l("Retire the students missing from the file (deactivated, never deleted)"))
    shared = BooleanField(_l("These are shared rooms: place the students even where another student lives"))
