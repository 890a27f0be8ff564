"""Who may do what to which object: the per-object rules in one place (role checks on views are in
app/auth/access.py)."""
from app.models.accounts import User


def manages_alone(admin: User, staff: User) -> bool:
    """A house admin whose houses hold every house `staff` works in (at least one): a staff account shared with
    another house's admins, or in no house at all, is for developers to manage."""
    houses = staff.staff_house_ids
    return admin.is_admin and bool(houses) and houses <= admin.admin_house_ids


def may_manage_account(actor: User, target: User) -> bool:
    """Whether `actor` may change the address of, deactivate, reactivate or anonymise `target`: a developer
    anyone but themselves; a house admin the students of their houses and the staff who work only there."""
    if actor.is_developer:
        return actor.id != target.id
    if not actor.is_admin:
        return False
    if target.is_staff:
        return manages_alone(actor, target)
    return target.is_student and target.house_id in actor.admin_house_ids
