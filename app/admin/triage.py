"""Triage on the admin issue page: re-categorise an issue or change its urgency (with a reason), and the forms
for that and for assigning it to staff."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length

from app.admin.labels import category_label, urgency_label
from app.extensions import db
from app.issues import fresh_notices, targets
from app.issues.assignment import staff_of_house
from app.issues.forms import no_control_chars
from app.labels import CATEGORY, URGENCY
from app.models.base import utcnow
from app.models.issues import Category, EventKind, Issue, IssueEvent, Urgency


class TriageError(ValueError):
    """A triage step refused; str() is the message to show."""


class TriageForm(FlaskForm):
    category = SelectField(_l("Category"), choices=[SelectChoice(c.value, CATEGORY[c]) for c in Category],
                           validators=[InputRequired(_l("Choose a category."))])
    urgency = SelectField(_l("Urgency"), choices=[SelectChoice(u.value, URGENCY[u]) for u in Urgency],
                          validators=[InputRequired(_l("Choose the urgency."))])
    reason = StringField(_l("Why (kept on the timeline)"),
                         filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[DataRequired(_l("Say why you change it.")),
                                     Length(max=300, message=_l("Keep the reason under 300 characters.")),
                                     no_control_chars], render_kw={"maxlength": 300})

    @classmethod
    def for_issue(cls, issue: Issue, formdata=None) -> "TriageForm":
        return cls(prefix="triage", formdata=formdata,
                   data={"category": issue.category.value, "urgency": issue.urgency.value})


class AssignForm(FlaskForm):
    # Any value is accepted here: the service says clearly when it is not staff of the house.
    assignee = SelectField(_l("Assign to"), validate_choice=False)

    @classmethod
    def for_issue(cls, issue: Issue, formdata=None) -> "AssignForm":
        form = cls(prefix="assign", formdata=formdata, data={"assignee": str(issue.assignee_id or "")})
        form.assignee.choices = [SelectChoice("", _("Nobody (not assigned)"))] + [
            SelectChoice(str(user.id), user.name) for user in staff_of_house(issue.house_id)]
        return form


def retriage(issue: Issue, admin, category: Category, urgency: Urgency, reason: str) -> str:
    """Change the category and/or urgency, recorded on the timeline (an internal entry: who, what and why).
    The caller commits. Returns what changed, in the language spoken (the timeline keeps it in English: data)."""
    reason = (reason or "").strip()
    changes, shown = [], []
    if category != issue.category:
        changes.append(f"Category: {issue.category.label} → {category.label}")
        shown.append(_("Category: %(old)s → %(new)s", old=category_label(issue.category), new=category_label(category)))
    if urgency != issue.urgency:
        changes.append(f"Urgency: {issue.urgency.value} → {urgency.value}")
        shown.append(_("Urgency: %(old)s → %(new)s", old=urgency_label(issue.urgency), new=urgency_label(urgency)))
    if not changes:
        raise TriageError(_("Choose a different category or urgency: nothing was changed."))
    if not reason:
        raise TriageError(_("Say why you change it: nothing was changed."))
    became_urgent = urgency == Urgency.URGENT and issue.urgency != Urgency.URGENT
    issue.category, issue.urgency = category, urgency
    if became_urgent:
        fresh_notices.urgent_now(issue)  # its new-issue and job emails still waiting leave now
    targets.refresh(issue)  # the category's and urgency's own response targets apply from now on
    db.session.add(IssueEvent(issue=issue, author_id=admin.id, kind=EventKind.TRIAGED, public=False,
                              body=". ".join(changes) + f". Reason: {reason}"))
    issue.updated_at = utcnow()
    return "; ".join(shown) + "."
