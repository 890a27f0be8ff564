"""Admin forms: the issue update (status + comment, public or internal) and the new-issue mail choice."""
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.issues.forms import no_control_chars
from app.models.issues import IssueStatus, NewIssueMail


class IssueUpdateForm(FlaskForm):
    status = SelectField("Status", choices=[SelectChoice(s.value, s.label) for s in IssueStatus],
                         validators=[InputRequired("Choose a status.")])
    comment = TextAreaField("Comment", validators=[
        Length(max=5000, message="Comments are limited to 5000 characters."), no_control_chars])
    visibility = RadioField("Who sees the comment?", default="public", choices=[
        SelectChoice("public", "Public comment: the students following the issue see it and are emailed"),
        SelectChoice("internal", "Internal note: only house admins see it")],
        validators=[InputRequired("Choose who sees the comment.")])


class MailPreferenceForm(FlaskForm):
    new_issues = RadioField("Emails about new issues", choices=[
        SelectChoice(NewIssueMail.EACH.value, "As they come (new issues of a few minutes arrive in one email)"),
        SelectChoice(NewIssueMail.DAILY.value, "One daily digest (urgent issues still arrive at once)"),
        SelectChoice(NewIssueMail.OFF.value, "No emails; I check the queue")],
        validators=[InputRequired("Choose one.")])
