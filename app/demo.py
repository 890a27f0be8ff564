"""Demo data for a newcomer's first run."""
import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from app.extensions import db
from app.house_setup import create_house, parse_rooms
from app.models.accounts import Role, User
from app.models.base import utcnow
from app.models.houses import House

DEMO_PASSWORD = "demo-rooftop-lantern"
DEMO_HOUSES = [
    ("Acacia House", "acacia"),
    ("Baobab House", "baobab"),
    ("Protea House", "protea"),
]
COMMON_AREAS = ["Kitchen", "Laundry", "Common room", "Bathrooms (first floor)"]


def _add_with_password(*users: User) -> None:
    """Demo accounts are verified and approved, ready to log in."""
    for user in users:
        user.set_password(DEMO_PASSWORD)
        user.email_verified_at = user.approved_at = utcnow()
        db.session.add(user)


def seed_demo() -> list[tuple[str, str]]:
    """Create the demo houses and users; returns (email, role) of the accounts made."""
    accounts = []
    for name, slug in DEMO_HOUSES:
        house = create_house(name, slug, parse_rooms("101-120,201-220"), COMMON_AREAS)
        student = User(email=f"student.{slug}@example.ac.za", name=f"Sam Student ({name.split()[0]})",
                       role=Role.STUDENT, house=house, room=house.rooms[0])
        admin = User(email=f"admin.{slug}@example.ac.za", name=f"Alex Admin ({name.split()[0]})",
                     role=Role.ADMIN, admin_houses=[house])
        staff = User(email=f"staff.{slug}@example.ac.za", name=f"Morgan Maintenance ({name.split()[0]})",
                     role=Role.STAFF, staff_houses=[house])
        accounts += [(student.email, "student"), (admin.email, "house admin"), (staff.email, "staff")]
        _add_with_password(student, admin, staff)
    developer = User(email="dev@example.ac.za", name="Dana Developer", role=Role.DEVELOPER)
    _add_with_password(developer)
    accounts.append((developer.email, "developer"))
    db.session.commit()
    return accounts


def seed_demo_activity() -> dict[str, int]:
    """Issues, move-in forms and error groups for the demo houses, so every page has something to show."""
    from app.errorlog.demo import seed_demo_errors
    from app.issues.demo import seed_demo_issues
    from app.issues.tips import seed_demo_tips
    from app.move_in.demo import seed_demo_move_in

    residents = seed_demo_move_in()
    issues = seed_demo_issues()
    seed_demo_tips()
    db.session.commit()
    return {"residents": len(residents), "issues": issues, "error groups": seed_demo_errors()}


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Fill an empty database with demo houses, users and activity (does nothing if houses exist)."""
    if db.session.scalar(sa.select(sa.func.count(House.id))):
        click.echo("The database already has houses; demo data not added.")
        return
    accounts = seed_demo()
    extra = seed_demo_activity()
    click.echo("Demo data created. Log in with any of these (password: %s):" % DEMO_PASSWORD)
    for email, role in accounts:
        click.echo(f"  {role:<12} {email}")
    click.echo("Also: " + ", ".join(f"{count} {what}" for what, count in extra.items()) + ".")
