"""The staff member's form on a job: a status step, a note, completion photos."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import MultipleFileField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, ValidationError

from app.issues.forms import MAX_PHOTOS, no_control_chars
from app.issues.labels import status_label
from app.issues.workflow import STAFF_TRANSITIONS
from app.models.issues import IssueStatus
from app.photos import PhotoError, photos_from_request


class JobUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), default="")
    note = TextAreaField(_l("Note (house admins see it)"), validators=[
        Length(max=5000, message=_l("Notes are limited to 5000 characters.")), no_control_chars])
    photos = MultipleFileField(_l("Completion photos (optional, up to 3, when you mark it resolved)"),
                               render_kw={"accept": "image/jpeg,image/png,image/webp", "multiple": True})

    clean_photos: list = []

    @classmethod
    def for_issue(cls, issue, submitted: bool = False) -> "JobUpdateForm":
        form = cls() if submitted else cls(formdata=None)  # submitted: the request's form and files
        form.status.choices = [SelectChoice("", _("Keep “%(status)s”", status=status_label(issue.status)))] + [
            SelectChoice(s.value, status_label(s)) for s in STAFF_TRANSITIONS.get(issue.status, ())]
        return form

    @property
    def new_status(self) -> IssueStatus | None:
        return IssueStatus(self.status.data) if self.status.data else None

    def validate_photos(self, field):
        try:
            self.clean_photos = photos_from_request(field.data, limit=MAX_PHOTOS)
        except PhotoError as exc:
            raise ValidationError(str(exc)) from exc
