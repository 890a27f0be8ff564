"""Account forms."""
import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    StopValidation,
    ValidationError,
)

from app.auth.rules import (
    CONTROL,
    EMAIL_MAX,
    NAME_MAX,
    PASSWORD_MIN,
    email_domain_allowed,
    email_mailable,
    password_problem,
)
from app.extensions import db
from app.form_messages import N_
from app.models.houses import House, Room

__all__ = ["PASSWORD_MIN", "RegisterForm", "LoginForm", "ForgotPasswordForm", "ResendForm", "ConfirmPasswordForm",
           "SetPasswordForm", "LogoutForm"]

CSRF_MESSAGE = N_("This form had expired (it was open for a long time, or in another browser session). "
                  "Your entries are kept: check them and send the form again.")  # shown through gettext


class Form(FlaskForm):
    """A FlaskForm whose CSRF failure reads as a plain sentence (the form is shown again, entries kept)."""

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        csrf_field = getattr(self, "csrf_token", None)
        if csrf_field is not None and csrf_field.errors:
            csrf_field.errors = [_(CSRF_MESSAGE)]
        return valid


def normalise_email(value: str | None) -> str | None:
    """Emails are compared and stored trimmed and lower-cased (phones often add a trailing space)."""
    return value.strip().lower() if isinstance(value, str) else value


def strip(value: str | None) -> str | None:
    return value.strip() if isinstance(value, str) else value


def validate_university_email(_form, field) -> None:
    if field.data and not email_mailable(field.data):
        raise StopValidation(_("Use a plain address without accents or other special characters."))
    if field.data and not email_domain_allowed(field.data):
        domains = ", ".join(current_app.config["ALLOWED_EMAIL_DOMAINS"])
        raise ValidationError(_("Use your university email address (%(domains)s).", domains=domains))


def validate_plain_text(_form, field) -> None:
    if field.data and CONTROL.search(field.data):
        raise ValidationError(_("Remove the control characters (such as tabs or line breaks)."))


def validate_new_password(form, field) -> None:
    """At least PASSWORD_MIN characters and not easy to guess (app/auth/rules.py), with the reason why. The
    account's own address and name count as guessable: the form's fields, or its `user_inputs`."""
    inputs = [getattr(form, name).data for name in ("email", "name") if hasattr(form, name)]
    inputs += getattr(form, "user_inputs", [])
    problem = password_problem(field.data or "", *[value for value in inputs if isinstance(value, str)])
    if problem:
        raise ValidationError(problem)


def password_fields():
    return (
        PasswordField(_l("Password"), validators=[DataRequired(), validate_new_password]),
        PasswordField(_l("Confirm password"), validators=[
            DataRequired(), EqualTo("password", message=_l("The two passwords do not match.")),
        ]),
    )


class RegisterForm(Form):
    email = EmailField(_l("University email"), filters=[normalise_email], validators=[
        DataRequired(), Length(max=EMAIL_MAX), Email(_l("Enter a valid email address.")), validate_university_email,
    ])
    name = StringField(_l("Full name"), filters=[strip],
                       validators=[DataRequired(), Length(max=NAME_MAX), validate_plain_text])
    house = SelectField(_l("House"), validators=[DataRequired()], validate_choice=False)
    room = StringField(_l("Room number"), filters=[strip],
                       validators=[DataRequired(), Length(max=20), validate_plain_text])
    password, confirm = password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        houses = db.session.execute(sa.select(House.slug, House.name).order_by(House.name)).all()
        self.house.choices = [("", _("Choose your house"))] + [(slug, name) for slug, name in houses]

    def prefill_house(self, slug: str) -> None:
        """Preselect the house a QR poster came from, if it is one of the listed houses."""
        if slug and slug in dict(self.house.choices):
            self.house.data = slug

    def validate_house(self, field) -> None:
        self.house_obj = db.session.scalar(sa.select(House).where(House.slug == field.data))
        if self.house_obj is None:
            raise ValidationError(_("Choose one of the listed houses."))

    def validate_room(self, field) -> None:
        house = getattr(self, "house_obj", None) or db.session.scalar(
            sa.select(House).where(House.slug == self.house.data))
        if house is None:
            return
        self.room_obj = db.session.scalar(
            sa.select(Room).where(Room.house_id == house.id, Room.number == field.data))
        if self.room_obj is None:
            raise ValidationError(_("There is no room %(room)s in %(house)s.", room=field.data, house=house.name))


class LoginForm(Form):
    email = EmailField(_l("Email"), filters=[normalise_email],
                       validators=[DataRequired(), Length(max=EMAIL_MAX), validate_plain_text])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class ForgotPasswordForm(Form):
    email = EmailField(_l("Email"), filters=[normalise_email], validators=[
        DataRequired(), Length(max=EMAIL_MAX), Email(_l("Enter a valid email address."))])


class ResendForm(ForgotPasswordForm):
    """Ask for a new verification link."""


class ConfirmPasswordForm(Form):
    """The verification link's form: the password chosen at registration proves it is the same person."""

    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)])


class SetPasswordForm(Form):
    password, confirm = password_fields()

    @classmethod
    def for_user(cls, user) -> "SetPasswordForm":
        """The form for `user`'s link: their address and name make a password weak."""
        form = cls()
        form.user_inputs = [user.email, user.name]
        return form


class LogoutForm(Form):
    """Empty form: logging out is a POST with a CSRF token."""
