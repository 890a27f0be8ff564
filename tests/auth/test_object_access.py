"""Issue 21 item 18: the per-object rules (app/auth/permissions.py) as a role x house x object matrix: for each
rule and object, exactly the listed people are allowed, everyone else refused. The pages that consult the rules
are covered by tests/issues/test_access.py, tests/staff/ and tests/admin/."""
from datetime import timedelta

import pytest

from app.auth import permissions as may
from app.extensions import db
from app.models import Role, User
from app.models.base import utcnow
from app.models.houses import House
from app.models.issues import Issue, IssuePhoto, IssueStatus, IssueSubscription
from app.models.move_in import FormStatus, MoveInForm

PEOPLE = ["reporter", "follower", "housemate", "birch_student", "acacia_admin", "birch_admin", "both_admin",
          "assignee", "acacia_staff", "shared_staff", "houseless_staff", "developer"]


@pytest.fixture
def world(app, make_house, make_user):
    acacia, birch = make_house("acacia"), make_house("birch")
    people = {
        "reporter": make_user(Role.STUDENT, house=acacia, room="101"),
        "follower": make_user(Role.STUDENT, house=acacia, room="102"),
        "housemate": make_user(Role.STUDENT, house=acacia, room="103"),
        "birch_student": make_user(Role.STUDENT, house=birch, room="101"),
        "acacia_admin": make_user(Role.ADMIN, admin_of=[acacia]),
        "birch_admin": make_user(Role.ADMIN, admin_of=[birch]),
        "both_admin": make_user(Role.ADMIN, admin_of=[acacia, birch]),
        "assignee": make_user(Role.STAFF, staff_of=[acacia]),
        "acacia_staff": make_user(Role.STAFF, staff_of=[acacia]),
        "shared_staff": make_user(Role.STAFF, staff_of=[acacia, birch]),
        "houseless_staff": make_user(Role.STAFF),
        "developer": make_user(Role.DEVELOPER),
    }
    ids = {name: person.id for name, person in people.items()}
    with app.app_context():
        def issue(**fields) -> Issue:
            row = Issue(house_id=acacia.id, reporter_id=ids["reporter"], category="plumbing", title="Leak",
                        description="Drips.", urgency="normal", **fields)
            db.session.add(row)
            db.session.flush()
            return row

        room = issue(assignee_id=ids["assignee"])
        common = issue(common_area_id=acacia.common_area_ids[0])
        closed = issue(common_area_id=acacia.common_area_ids[0], status=IssueStatus.RESOLVED,
                       resolved_at=utcnow() - timedelta(days=1))
        db.session.add(IssueSubscription(issue_id=room.id, user_id=ids["follower"]))
        photo = IssuePhoto(issue_id=room.id, key="k" * 32, mime="image/jpeg", width=1, height=1, size=1)
        submitted = MoveInForm(user_id=ids["reporter"], house_id=acacia.id, academic_year=2026,
                               status=FormStatus.SUBMITTED)
        draft = MoveInForm(user_id=ids["housemate"], house_id=acacia.id, academic_year=2026)
        db.session.add_all([photo, submitted, draft])
        db.session.commit()
        objects = {"room": room.id, "common": common.id, "closed": closed.id, "photo": photo.id,
                   "submitted": submitted.id, "draft": draft.id, "acacia": acacia.id}
    return ids, objects


# (rule, object) -> who is allowed; every other person of PEOPLE is refused.
MATRIX = {
    ("see issue", "room"): {"reporter", "follower", "acacia_admin", "both_admin", "assignee"},
    ("see issue", "common"): {"reporter", "follower", "housemate", "acacia_admin", "both_admin"},
    ("see issue", "closed"): {"reporter", "acacia_admin", "both_admin"},
    ("manage issue", "room"): {"acacia_admin", "both_admin"},
    ("work on", "room"): {"assignee"},
    ("work on", "common"): set(),
    ("see photo via its issue", "photo"): {"reporter", "follower", "acacia_admin", "both_admin", "assignee"},
    ("see photo via another issue", "photo"): set(),
    ("see move-in photo", "submitted"): {"reporter", "acacia_admin", "both_admin"},
    ("see move-in photo", "draft"): {"housemate"},
    ("manage house", "acacia"): {"acacia_admin", "both_admin"},
    ("manage student", "reporter"): {"acacia_admin", "both_admin"},
    ("manage student", "birch_student"): {"birch_admin", "both_admin"},
    ("manage account", "reporter"): {"acacia_admin", "both_admin", "developer"},
    ("manage account", "acacia_staff"): {"acacia_admin", "both_admin", "developer"},
    ("manage account", "shared_staff"): {"both_admin", "developer"},
    ("manage account", "houseless_staff"): {"developer"},
    ("manage account", "acacia_admin"): {"developer"},
    ("manage account", "developer"): set(),
}


def allowed(rule: str, target: str, user: User, ids: dict, objects: dict) -> bool:
    get = db.session.get
    if rule == "see issue":
        return may.may_see_issue(user, get(Issue, objects[target]))
    if rule == "manage issue":
        return may.may_manage_issue(user, get(Issue, objects[target]))
    if rule == "work on":
        return may.may_work_on(user, get(Issue, objects[target]))
    if rule.startswith("see photo"):
        through = objects["room"] if rule.endswith("its issue") else objects["common"]
        return may.may_see_issue_photo(user, get(IssuePhoto, objects[target]), get(Issue, through))
    if rule == "see move-in photo":
        return may.may_see_move_in_photo(user, get(MoveInForm, objects[target]))
    if rule == "manage house":
        return may.may_manage_house(user, get(House, objects[target]).id)
    if rule == "manage student":
        return may.may_manage_student(user, get(User, ids[target]))
    return may.may_manage_account(user, get(User, ids[target]))


@pytest.mark.parametrize("rule, target", list(MATRIX))
def test_each_rule_allows_exactly_the_listed_people(app, world, rule, target):
    ids, objects = world
    with app.app_context():
        got = {name for name in PEOPLE if allowed(rule, target, db.session.get(User, ids[name]), ids, objects)}
    assert got == MATRIX[rule, target]


def test_the_rules_hold_on_the_pages(app, client, auth, world):
    """One page per kind of object answers by the same rule (403 or 404 to those refused; the photo pages with
    stored files: tests/issues/test_access.py)."""
    ids, objects = world
    with app.app_context():
        emails = {name: db.session.get(User, user_id).email for name, user_id in ids.items()}
    pages = [(f"/jobs/{objects['room']}", "work on", "room"),
             (f"/admin/issues/{objects['room']}", "manage issue", "room"),
             (f"/admin/accounts/{ids['shared_staff']}/email", "manage account", "shared_staff")]
    for url, rule, target in pages:
        for name in PEOPLE:
            auth.logout()
            auth.login(emails[name])
            status = client.get(url).status_code
            if name in MATRIX[rule, target]:
                assert status == 200, (url, name, status)
            else:
                assert status in (403, 404), (url, name, status)
