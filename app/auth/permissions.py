"""Who may see or change which object: the per-object rules in one place (the role checks on views are in
app/auth/access.py; a view that finds a rule refusing answers 404, so another's objects are not revealed).

- issue, see: a student their own, followed and their house's open common-area issues; a house admin their
  houses'; staff the jobs assigned to them in houses they work in; a developer none.
- issue, manage (status, assignment, triage, visits): a house admin of its house.
- issue photo: as its issue, through that issue only. Move-in photo: its student; once the form is submitted,
  an admin of its house.
- house (poster, staff, residents, move-in): its admins (developers have app/dev/).
- student (approve, move, rename, move-in form): an admin of their house.
- account (address, deactivate, anonymise): a developer anyone but themselves; a house admin their houses'
  students and the staff who work only in their houses.
"""
from app.extensions import db
from app.models.accounts import User
from app.models.issues import OPEN_STATUSES, Issue, IssuePhoto, IssueSubscription
from app.models.move_in import FormStatus, MoveInForm


def is_subscribed(issue_id: int, user_id: int) -> bool:
    """The user follows the issue ("me too", or as its reporter)."""
    return db.session.get(IssueSubscription, (issue_id, user_id)) is not None


def is_open_common_issue_of_house(issue: Issue, house_id: int | None) -> bool:
    return issue.house_id == house_id and issue.common_area_id is not None and issue.status in OPEN_STATUSES


def may_see_issue(user: User, issue: Issue) -> bool:
    """Students: their own, followed and their house's open common-area issues; admins: their houses'; staff:
    the jobs assigned to them in houses they work in (a student waiting for approval is stopped by the view's
    role check before)."""
    if user.is_admin:
        return may_manage_issue(user, issue)
    if user.is_staff:
        return may_work_on(user, issue)
    return user.is_student and (issue.reporter_id == user.id or is_subscribed(issue.id, user.id)
                                or is_open_common_issue_of_house(issue, user.house_id))


def may_manage_issue(user: User, issue: Issue) -> bool:
    """Change its status, assign it, triage it, book visits: an admin of its house."""
    return user.administers(issue.house_id)


def may_work_on(user: User, issue: Issue) -> bool:
    """A staff member's job: assigned to them, in a house they still work in."""
    return user.is_staff and issue.assignee_id == user.id and user.works_in(issue.house_id)


def may_see_issue_photo(user: User, photo: IssuePhoto, issue: Issue) -> bool:
    """A photo shown through `issue` must belong to it: an issue one may see is no key to others' photos."""
    return photo.issue_id == issue.id and may_see_issue(user, issue)


def may_see_move_in_photo(user: User, form: MoveInForm) -> bool:
    """A move-in checklist photo: the student who took it, or (once the form is submitted) an admin of its house."""
    return form.user_id == user.id or (form.status == FormStatus.SUBMITTED and user.administers(form.house_id))


def may_manage_house(user: User, house_id: int) -> bool:
    """A house's admin pages (its poster, staff, residents, move-in): its admins."""
    return user.administers(house_id)


def may_manage_student(admin: User, student: User) -> bool:
    """Approve, move, rename a student, read their move-in form: an admin of the student's house."""
    return student.is_student and admin.administers(student.house_id or 0)


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
    return may_manage_student(actor, target)
