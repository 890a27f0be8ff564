"""Admin forms: the issue update (status + comment, public or internal), the new-issue mail choice and the
approval of a waiting student."""
import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from app.extensions import db
from app.issues.forms import no_control_chars
from app.labels import HOLD_REASON, STATUS
from app.models.houses import Room
from app.models.issues import HoldReason, IssueStatus, NewIssueMail


def room_in_house(form, field) -> None:
    """Inline validator of a room number in the house the form's `house` field chose (`form.houses`: slug ->
    House); sets `form.room_obj`."""
    house = form.houses.get(form.house.data)
    form.room_obj = db.session.scalar(sa.select(Room).where(Room.house_id == house.id, Room.number == field.data)) \
        if house else None
    if house is not None and form.room_obj is None:
        raise ValidationError(_("There is no room %(room)s in %(house)s.", room=field.data, house=house.name))


class IssueUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=[SelectChoice(s.value, STATUS[s]) for s in IssueStatus],
                         validators=[InputRequired(_l("Choose a status."))])
    comment = TextAreaField(_l("Comment"), validators=[
        Length(max=5000, message=_l("Comments are limited to 5000 characters.")), no_control_chars])
    visibility = RadioField(_l("Who sees the comment?"), default="public", choices=[
        SelectChoice("public", _l("Public comment: the students following the issue see it and are emailed")),
        SelectChoice("internal", _l("Internal note: only house admins see it"))],
        validators=[InputRequired(_l("Choose who sees the comment."))])
    hold_reason = SelectField(_l("If on hold: why"), default="", choices=[SelectChoice("", _l("(not on hold)"))] + [
        SelectChoice(r.value, HOLD_REASON[r]) for r in HoldReason])
    hold_detail = StringField(_l("Hold details for the student"), validators=[
        Length(max=200, message=_l("Keep the hold details under 200 characters.")), no_control_chars],
        render_kw={"maxlength": 200})

    @classmethod
    def for_issue(cls, issue, formdata=None) -> "IssueUpdateForm":
        """The form as the issue stands: its status and, when on hold, the saved reason and details."""

        reason, detail = HoldReason.parts(issue.hold_reason)
        return cls(formdata=formdata, data={"status": issue.status.value, "hold_reason": reason.value if reason else "",
                                            "hold_detail": detail})

    @property
    def hold_reason_value(self) -> HoldReason | None:
        return HoldReason(self.hold_reason.data) if self.hold_reason.data else None


class MailPreferenceForm(FlaskForm):
    new_issues = RadioField(_l("Emails about new issues"), choices=[
        SelectChoice(NewIssueMail.EACH.value, _l("As they come (new issues of a few minutes arrive in one email)")),
        SelectChoice(NewIssueMail.DAILY.value, _l("One daily digest (urgent issues still arrive at once)")),
        SelectChoice(NewIssueMail.OFF.value, _l("No emails; I check the queue (urgent issues still arrive at once)"))],
        validators=[InputRequired(_l("Choose one."))])


class ApproveForm(FlaskForm):
    """Approve a waiting student: their house and room as they registered, or changed (one form per student on
    /admin/, hence the prefix)."""

    house = SelectField(_l("House"), validators=[InputRequired(_l("Choose a house."))])
    room = StringField(_l("Room"), filters=[lambda value: value.strip() if isinstance(value, str) else value],
                       validators=[DataRequired(_l("Give the room number.")), Length(max=20), no_control_chars])
    shared = BooleanField(_l("Shared room: approve even if another student already has it"))

    @classmethod
    def for_student(cls, student, houses) -> "ApproveForm":
        form = cls(prefix=f"s{student.id}", data={
            "house": student.house.slug if student.house else "", "room": student.room.number if student.room else ""})
        form.house.choices = [SelectChoice(house.slug, house.name) for house in houses]
        form.houses = {house.slug: house for house in houses}
        return form

    validate_room = room_in_house
