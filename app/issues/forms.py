"""Forms students use: report an issue, comment, reopen, rate, and the bare CSRF forms for buttons."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from app.labels import CATEGORY, URGENCY
from app.models.issues import Category, Urgency
from app.photos import PhotoError, photos_from_request
from app.text import has_control

MAX_PHOTOS = 3
CATEGORY_CHOICES = [SelectChoice(c.value, CATEGORY[c]) for c in Category]
URGENCY_CHOICES = [SelectChoice(Urgency.NORMAL.value, URGENCY[Urgency.NORMAL]),
                   SelectChoice(Urgency.URGENT.value, URGENCY[Urgency.URGENT])]
URGENT_HELP = _l("Urgent means a danger or damage that gets worse by the hour: flooding or a burst pipe, no power "
               "or water, sparks or a burning smell, a door or window that will not lock.")


def single_line(form, field):
    if field.data and has_control(field.data):
        raise ValidationError(_l("Please keep this on one line."))


def no_control_chars(form, field):
    if field.data and has_control(field.data, multiline=True):
        raise ValidationError(_l("This contains characters we cannot store."))


def location_choices(house) -> list[SelectChoice]:
    """`room` for the student's own room, then the house's common areas by id."""
    return [SelectChoice("room", _l("My room")), *(SelectChoice(str(area.id), area.name)
                                                   for area in house.common_areas)]


class ReportForm(FlaskForm):
    category = SelectField(_l("What kind of problem?"), choices=[SelectChoice("", _l("Choose…")), *CATEGORY_CHOICES],
                           validators=[InputRequired(_l("Choose a category."))])
    location = SelectField(_l("Where?"), choices=[SelectChoice("room", _l("My room"))], default="room",
                           validators=[InputRequired(_l("Choose where the problem is."))])
    title = StringField(_l("Short title"), validators=[
        DataRequired(_l("Give the problem a short title.")),
        Length(min=3, max=120, message=_l("The title needs 3 to 120 characters.")), single_line],
        render_kw={"maxlength": 120, "placeholder": _l("e.g. Shower drain blocked")})
    description = TextAreaField(_l("What is wrong?"), validators=[
        DataRequired(_l("Describe the problem.")),
        Length(min=10, max=5000, message=_l("The description needs 10 to 5000 characters.")), no_control_chars],
        render_kw={"maxlength": 5000})
    urgency = RadioField(_l("How urgent?"), choices=URGENCY_CHOICES, default=Urgency.NORMAL.value,
                         validators=[InputRequired(_l("Choose how urgent it is."))])
    enter_permission = BooleanField(_l("Staff may enter my room to fix this when I am out"))
    photos = MultipleFileField(_l("Photos (optional, up to 3)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True})
    start = HiddenField()  # the report start (app/issues/tips.py): never checked, never blocks the report

    clean_photos: list = []

    def __init__(self, house=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if house is not None:
            self.location.choices = location_choices(house)

    def validate_photos(self, field):
        try:
            self.clean_photos = photos_from_request(field.data, limit=MAX_PHOTOS)
        except PhotoError as exc:
            raise ValidationError(str(exc)) from exc


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Add a comment"), validators=[
        DataRequired(_l("Write a comment first.")),
        Length(max=5000, message=_l("Comments are limited to 5000 characters.")), no_control_chars])


class ReopenForm(FlaskForm):
    reason = TextAreaField(_l("What is still wrong?"), validators=[
        DataRequired(_l("Tell us why you are reopening it.")),
        Length(min=5, max=2000, message=_l("The reason needs 5 to 2000 characters.")), no_control_chars])


class RateForm(FlaskForm):
    rating = RadioField(_l("How was the repair?"), choices=[SelectChoice(str(n), "★" * n) for n in range(1, 6)],
                        validators=[InputRequired(_l("Choose 1 to 5 stars."))])


class ConfirmForm(FlaskForm):
    """"Yes, it is fixed", with stars for the repair if the student gives them (one submit)."""

    rating = RadioField(_l("How was the repair? (optional)"), choices=RateForm.rating.kwargs["choices"],
                        validators=[Optional()])


class ButtonForm(FlaskForm):
    """Only the CSRF token: for one-click actions (confirm, me too)."""


class TipSeenForm(FlaskForm):
    """Posted by the report form's script when a category is chosen (app/issues/tips.py)."""

    start = StringField(validators=[DataRequired(), Length(max=32), single_line])
    category = SelectField(choices=CATEGORY_CHOICES, validators=[InputRequired()])
