"""Command-line interface: `flask --app wsgi seed-demo | houses ... | users ... | mail ...`."""
import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from app.auth.deactivation import deactivate, reactivate
from app.auth.privacy import anonymise
from app.auth.roster import import_roster
from app.auth.rules import (
    email_domain_allowed,
    email_mailable,
    email_valid,
    name_problem,
    password_problem,
)
from app.extensions import db
from app.house_setup import add_rooms, create_house, house_by_slug, parse_rooms, remove_room
from app.models.accounts import Role, User
from app.models.base import utcnow

houses_cli = AppGroup("houses", help="Manage houses.")
users_cli = AppGroup("users", help="Manage user accounts.")


def init_cli(app: Flask) -> None:
    from app.demo import seed_demo_command
    from app.emailer.cli import mail_cli
    from app.issues.cli import issues_cli
    from app.maintenance import maintenance_cli
    from app.storage.cli import photos_cli

    app.cli.add_command(houses_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(mail_cli)
    app.cli.add_command(issues_cli)
    app.cli.add_command(maintenance_cli)
    app.cli.add_command(photos_cli)
    app.cli.add_command(seed_demo_command)


@houses_cli.command("create")
@click.argument("name")
@click.option("--slug", required=True, help="Short name used in URLs, e.g. 'acacia'.")
@click.option("--rooms", required=True, help="Room numbers: ranges and single rooms, e.g. '101-140,G1'.")
@click.option("--common-areas", default="", help="Comma separated, e.g. 'Kitchen,Laundry'.")
def create_house_command(name: str, slug: str, rooms: str, common_areas: str) -> None:
    """Create a house with its rooms and common areas."""
    try:
        house = create_house(name, slug, parse_rooms(rooms),
                             [a.strip() for a in common_areas.split(",") if a.strip()])
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Created {house.name} ({house.slug}) with {len(house.rooms)} rooms "
               f"and {len(house.common_areas)} common areas.")


@houses_cli.command("add-rooms")
@click.argument("slug")
@click.argument("rooms")
def add_rooms_command(slug: str, rooms: str) -> None:
    """Add rooms to a house, e.g. `houses add-rooms acacia 301-320,G2` (none when one exists already)."""
    house = _houses((slug,))[0]
    try:
        added = add_rooms(house, parse_rooms(rooms))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Added {len(added)} room(s) to {house.name}.")


@houses_cli.command("remove-room")
@click.argument("slug")
@click.argument("number")
def remove_room_command(slug: str, number: str) -> None:
    """Remove a room nobody lives in and no issue refers to."""
    house = _houses((slug,))[0]
    room = next((r for r in house.rooms if r.number == number), None)
    if room is None:
        raise click.ClickException(f"there is no room {number} in {house.name}")
    try:
        remove_room(room)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"Removed room {number} from {house.name}.")


def _read_password() -> str:
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


def _houses(slugs: tuple[str, ...]) -> list:
    """The houses named by `slugs`, in order; a ClickException names the first unknown one."""
    houses = []
    for slug in slugs:
        house = house_by_slug(slug)
        if house is None:
            raise click.ClickException(f"no house with slug {slug!r}")
        houses.append(house)
    return houses


def _place(user: User, houses: list, room: str | None) -> None:
    """Link `user` to their houses as their role needs (a student: one house and a room)."""
    if user.role == Role.STUDENT:
        if len(houses) != 1 or not room:
            raise click.ClickException("a student needs exactly one --house and a --room")
        user.house = houses[0]
        user.room = next((r for r in houses[0].rooms if r.number == room), None)
        if user.room is None:
            raise click.ClickException(f"there is no room {room} in {houses[0].name}")
    elif user.role in (Role.ADMIN, Role.STAFF):
        if not houses:
            raise click.ClickException(f"a{'n admin' if user.role == Role.ADMIN else ' staff member'} needs at "
                                       "least one --house")
        if user.role == Role.ADMIN:
            user.admin_houses = houses
        else:
            user.staff_houses = houses


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--house", "house_slugs", multiple=True,
              help="House slug (a student's house; an admin or staff member may have several).")
@click.option("--room", default=None, help="A student's room number.")
@click.option("--name", default=None, help="Display name (default: from the email address).")
def create_user_command(email: str, role: str, house_slugs: tuple[str, ...], room: str | None,
                        name: str | None) -> None:
    """Create a user; the password is prompted for, or read from stdin when it is not a terminal."""
    email = email.strip().lower()
    if not email_valid(email) or not email_mailable(email):
        raise click.ClickException(f"{email!r} is not a valid plain email address")
    if role == Role.STUDENT and not email_domain_allowed(email):
        raise click.ClickException(f"{email} is not a university address (ALLOWED_EMAIL_DOMAINS)")
    name = (name or email.split("@")[0]).strip()
    if problem := name_problem(name):
        raise click.ClickException(problem)
    if db.session.scalar(sa.select(User.id).where(User.email == email)):
        raise click.ClickException(f"a user with email {email} already exists")
    houses = _houses(house_slugs)
    user = User(email=email, name=name, role=Role(role), email_verified_at=utcnow(), approved_at=utcnow())
    _place(user, houses, room)
    password = _read_password()
    problem = password_problem(password, user.email)
    if problem:
        raise click.ClickException(f"the password was refused: {problem}")
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email}.")


@users_cli.command("import-roster")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--house", "house_slug", required=True, help="The house the students live in.")
@click.option("--invite/--no-invite", default=True, show_default=True,
              help="Email each new student a link to set their password.")
@click.option("--retire-missing", is_flag=True,
              help="Deactivate the house's students who are not on the file (never deleted).")
def import_roster_command(csv_file: Path, house_slug: str, invite: bool, retire_missing: bool) -> None:
    """Create students from a CSV with columns email,name,room (and optionally language). All rows or none are
    stored."""
    house = house_by_slug(house_slug)
    if house is None:
        raise click.ClickException(f"no house with slug {house_slug!r}")
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{csv_file} is not UTF-8 text (byte {exc.start}); save it as CSV UTF-8 "
                                   "and try again; nothing was imported") from exc
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        result = import_roster(text, house, invite=invite, retire=retire_missing)
    if result.errors:
        for error in result.errors:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(result.errors)} problem(s); nothing was imported")
    invited = f" {result.created} invitation(s) to set a password queued." if invite and result.created else ""
    retired = f" {result.retired} retired." if retire_missing else ""
    click.echo(f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged.{retired}{invited}")


def _account(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"no account with email {email!r}")
    return user


@users_cli.command("deactivate")
@click.argument("email")
def deactivate_user_command(email: str) -> None:
    """End every session of an account, cancel its queued mail and refuse it logins and notices."""
    user = _account(email)
    cancelled = deactivate(user)
    db.session.commit()
    click.echo(f"Deactivated {user.email}: sessions ended, {cancelled} queued email(s) cancelled.")


@users_cli.command("reactivate")
@click.argument("email")
def reactivate_user_command(email: str) -> None:
    """Let a deactivated account log in again."""
    user = _account(email)
    reactivate(user)
    db.session.commit()
    click.echo(f"Reactivated {user.email}.")


@users_cli.command("anonymise")
@click.argument("email")
@click.confirmation_option(prompt="Replace this person by \"Former resident\" everywhere? This cannot be undone.")
def anonymise_user_command(email: str) -> None:
    """Anonymise an account (POPIA/GDPR): name, address and free text replaced, issues kept (see the README)."""
    user = _account(email)
    anonymise(user)
    db.session.commit()
    click.echo(f"Anonymised {email.strip().lower()}: now {user.email}.")
