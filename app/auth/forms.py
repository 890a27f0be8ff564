"""Account forms."""
import sqlalchemy as sa
from flask import current_app
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError

from app.extensions import db
from app.models.accounts import User
from app.models.houses import House, Room

PASSWORD_MIN = 10


def email_domain_allowed(email: str) -> bool:
    """True when ALLOWED_EMAIL_DOMAINS is empty or the address is in one of them (or a subdomain)."""
    allowed = current_app.config["ALLOWED_EMAIL_DOMAINS"]
    domain = email.rsplit("@", 1)[-1].lower()
    return not allowed or any(domain == d or domain.endswith("." + d) for d in allowed)


def validate_university_email(_form, field) -> None:
    field.data = (field.data or "").strip().lower()
    if field.data and not email_domain_allowed(field.data):
        domains = ", ".join(current_app.config["ALLOWED_EMAIL_DOMAINS"])
        raise ValidationError(f"Use your university email address ({domains}).")


def password_fields():
    return (
        PasswordField("Password", validators=[
            DataRequired(), Length(min=PASSWORD_MIN, max=128,
                                   message=f"Use at least {PASSWORD_MIN} characters (at most 128)."),
        ]),
        PasswordField("Confirm password", validators=[
            DataRequired(), EqualTo("password", message="The two passwords do not match."),
        ]),
    )


class RegisterForm(FlaskForm):
    email = EmailField("University email", validators=[
        DataRequired(), Length(max=254), Email("Enter a valid email address."), validate_university_email,
    ])
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    house = SelectField("House", validators=[DataRequired()], validate_choice=False)
    room = StringField("Room number", validators=[DataRequired(), Length(max=20)])
    password, confirm = password_fields()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        houses = db.session.execute(sa.select(House.slug, House.name).order_by(House.name)).all()
        self.house.choices = [("", "Choose your house")] + [(slug, name) for slug, name in houses]

    def validate_email(self, field) -> None:
        if db.session.scalar(sa.select(User.id).where(User.email == field.data)):
            raise ValidationError("An account with this email already exists. Log in or reset your password.")

    def validate_house(self, field) -> None:
        self.house_obj = db.session.scalar(sa.select(House).where(House.slug == field.data))
        if self.house_obj is None:
            raise ValidationError("Choose one of the listed houses.")

    def validate_room(self, field) -> None:
        field.data = (field.data or "").strip()
        house = getattr(self, "house_obj", None) or db.session.scalar(
            sa.select(House).where(House.slug == self.house.data))
        if house is None:
            return
        self.room_obj = db.session.scalar(
            sa.select(Room).where(Room.house_id == house.id, Room.number == field.data))
        if self.room_obj is None:
            raise ValidationError(f"There is no room {field.data} in {house.name}.")


class LoginForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)])


class ForgotPasswordForm(FlaskForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email("Enter a valid email address.")])


class SetPasswordForm(FlaskForm):
    password, confirm = password_fields()


class LogoutForm(FlaskForm):
    """Empty form: logging out is a POST with a CSRF token."""
