"""Triage on the admin issue page: re-categorise an issue or change its urgency (with a reason), and the forms
for that and for assigning it to staff."""
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.extensions import db
from app.issues import fresh_notices, targets
from app.issues.assignment import staff_of_house
from app.issues.forms import no_control_chars
from app.models.base import utcnow
from app.models.issues import Category, EventKind, Issue, IssueEvent, Urgency


class TriageError(ValueError):
    """A triage step refused; str() is the message to show."""


class TriageForm(FlaskForm):
    category = SelectField("Category", choices=[SelectChoice(c.value, c.label) for c in Category],
                           validators=[InputRequired("Choose a category.")])
    urgency = SelectField("Urgency", choices=[SelectChoice(u.value, u.value.capitalize()) for u in Urgency],
                          validators=[InputRequired("Choose the urgency.")])
    reason = StringField("Why (kept on the timeline)", filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[DataRequired("Say why you change it."),
                                     Length(max=300, message="Keep the reason under 300 characters."),
                                     no_control_chars], render_kw={"maxlength": 300})

    @classmethod
    def for_issue(cls, issue: Issue, formdata=None) -> "TriageForm":
        return cls(prefix="triage", formdata=formdata,
                   data={"category": issue.category.value, "urgency": issue.urgency.value})


class AssignForm(FlaskForm):
    # Any value is accepted here: the service says clearly when it is not staff of the house.
    assignee = SelectField("Assign to", validate_choice=False)

    @classmethod
    def for_issue(cls, issue: Issue, formdata=None) -> "AssignForm":
        form = cls(prefix="assign", formdata=formdata, data={"assignee": str(issue.assignee_id or "")})
        form.assignee.choices = [SelectChoice("", "Nobody (not assigned)")] + [
            SelectChoice(str(user.id), user.name) for user in staff_of_house(issue.house_id)]
        return form


def retriage(issue: Issue, admin, category: Category, urgency: Urgency, reason: str) -> str:
    """Change the category and/or urgency, recorded on the timeline (an internal entry: who, what and why).
    The caller commits."""
    reason = (reason or "").strip()
    changes = []
    if category != issue.category:
        changes.append(f"Category: {issue.category.label} → {category.label}")
    if urgency != issue.urgency:
        changes.append(f"Urgency: {issue.urgency.value} → {urgency.value}")
    if not changes:
        raise TriageError("Choose a different category or urgency: nothing was changed.")
    if not reason:
        raise TriageError("Say why you change it: nothing was changed.")
    became_urgent = urgency == Urgency.URGENT and issue.urgency != Urgency.URGENT
    issue.category, issue.urgency = category, urgency
    if became_urgent:
        fresh_notices.urgent_now(issue)  # its new-issue and job emails still waiting leave now
    targets.refresh(issue)  # the category's and urgency's own response targets apply from now on
    db.session.add(IssueEvent(issue=issue, author_id=admin.id, kind=EventKind.TRIAGED, public=False,
                              body=". ".join(changes) + f". Reason: {reason}"))
    issue.updated_at = utcnow()
    return "; ".join(changes) + "."
