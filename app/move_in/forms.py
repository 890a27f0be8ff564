"""The student's move-in form (built per house from its checklist and terms) and the admin's list editor."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.issues.forms import no_control_chars
from app.labels import CONDITION
from app.models.move_in import Condition, MoveInForm
from app.move_in.checklist import ITEM_MAX_LENGTH, MAX_ITEMS, TERM_MAX_LENGTH

CONDITION_CHOICES = [SelectChoice(c.value, CONDITION[c]) for c in Condition]
COMMENT_MAX = 2000


class _StudentForm(FlaskForm):
    """Fields are added per item (condition_i, comment_i, photos_i) and per term (term_j) by build_form."""

    labels: list[str]
    terms: list[str]

    def item_fields(self):
        for i, label in enumerate(self.labels):
            yield i, label, self[f"condition_{i}"], self[f"comment_{i}"], self[f"photos_{i}"]

    def term_fields(self):
        return [self[f"term_{j}"] for j in range(len(self.terms))]

    def check_complete(self) -> bool:
        """The stricter checks for submitting: every condition, comments unless good, every term ticked."""
        ok = True
        for _i, label, condition, comment, _photos in self.item_fields():
            if not condition.data:
                condition.errors.append(_("Choose the condition of the %(item)s.", item=_(label).lower()))
                ok = False
            elif condition.data != Condition.GOOD and not (comment.data or "").strip():
                comment.errors.append(_("Describe what is damaged or missing."))
                ok = False
        for term in self.term_fields():
            if not term.data:
                term.errors.append(_("Tick this box to accept it."))
                ok = False
        if not ok:
            self.form_errors.append(_("Some answers need your attention before you can submit (marked below)."))
        return ok


def build_form(labels: list[str], terms: list[str], saved: MoveInForm | None = None, **kwargs) -> _StudentForm:
    """A form class for this checklist, filled from the request or else from the saved draft."""

    class StudentForm(_StudentForm):
        pass

    answers = {a.item_label: a for a in saved.answers} if saved else {}
    accepted = set(saved.accepted_terms or []) if saved else set()
    data = {}
    for i, label in enumerate(labels):
        setattr(StudentForm, f"condition_{i}", RadioField(label, choices=CONDITION_CHOICES, validators=[Optional()]))
        setattr(StudentForm, f"comment_{i}", TextAreaField(
            _("%(item)s: comment", item=_(label)),
            validators=[Length(max=COMMENT_MAX, message=_("At most %(count)d characters.", count=COMMENT_MAX)),
                        no_control_chars],
            render_kw={"rows": 3}))
        setattr(StudentForm, f"photos_{i}", MultipleFileField(_("%(item)s: photos", item=_(label))))
        if label in answers:
            answer = answers[label]
            data[f"condition_{i}"] = answer.condition.value if answer.condition else None
            data[f"comment_{i}"] = answer.comment
    for j, text in enumerate(terms):
        setattr(StudentForm, f"term_{j}", BooleanField(_(text)))
        data[f"term_{j}"] = text in accepted
    form = StudentForm(data=data, **kwargs)
    form.labels, form.terms = labels, terms
    return form


def remap_answers(formdata, seen_labels: list[str], labels: list[str], seen_terms: list[str],
                  terms: list[str]) -> MultiDict:
    """The posted answers moved from the checklist the student saw to the house's current one (matched by text).

    Answers to items or terms that are gone are dropped; new ones start empty.
    """
    out = MultiDict({"csrf_token": formdata.get("csrf_token", "")})
    seen_item = {label: j for j, label in enumerate(seen_labels)}
    for i, label in enumerate(labels):
        j = seen_item.get(label)
        for name in ("condition", "comment"):
            if j is not None and f"{name}_{j}" in formdata:
                out[f"{name}_{i}"] = formdata[f"{name}_{j}"]
    seen_term = {text: k for k, text in enumerate(seen_terms)}
    for j, text in enumerate(terms):
        k = seen_term.get(text)
        if k is not None and f"term_{k}" in formdata:
            out[f"term_{j}"] = formdata[f"term_{k}"]
    return out


class ChecklistForm(FlaskForm):
    items = TextAreaField(_l("Checklist items (one per line)"), validators=[
        Length(max=MAX_ITEMS * (ITEM_MAX_LENGTH + 2), message=_l("That list is too long.")), no_control_chars])
    terms = TextAreaField(_l("Terms and conditions (one per line; each gets a checkbox)"), validators=[
        Length(max=MAX_ITEMS * (TERM_MAX_LENGTH + 2), message=_l("That list is too long.")), no_control_chars])


class ReminderForm(FlaskForm):
    """The reminder button: POST /admin/move-in/reminders with house = the house slug."""

    house = HiddenField(validators=[DataRequired(_l("Which house?"))])
