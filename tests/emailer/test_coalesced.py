"""`enqueue_each`: one coalesced email per person, for several people at once, with what `enqueue` promises for
each (coalescing into the still-queued email, bounced addresses skipped, the cause's cap, issue links) and a
number of statements that does not grow with the people but for the emails coalesced."""
import pytest
import sqlalchemy as sa

from app.emailer import enqueue
from app.emailer.causes import top_causes
from app.emailer.coalesced import enqueue_each
from app.extensions import db
from app.models.deliveries import UndeliverableAddress, outbox_issues
from app.models.mail import MailStatus, OutboxEmail, Purpose
from tests.main.test_query_counts import counted

SMALL = {"MAIL_DAILY_LIMIT": 100}  # the student cap: 2 a day


def letters(n: int) -> list[tuple[str, str]]:
    return [(f"admin{i}@example.ac.za", f"new:{i}") for i in range(n)]


def listing(key: str, pending: dict | None) -> dict:
    return {"key": key, "count": (pending or {}).get("count", 0) + 1}


def rows(app) -> dict[str, tuple[str, int, str]]:
    with app.app_context():
        return {row.to_address: (row.status.value, row.context["count"], row.coalesce_key)
                for row in db.session.scalars(sa.select(OutboxEmail).order_by(OutboxEmail.id))}


def test_each_person_gets_one_email_and_a_second_call_coalesces_into_it(app):
    with app.app_context():
        assert enqueue_each("issue_new", letters(3), listing, cause="student:1") == 3
        assert enqueue_each("issue_new", letters(4), listing, cause="student:1") == 4
        db.session.commit()
    assert rows(app) == {"admin0@example.ac.za": ("queued", 2, "new:0"), "admin1@example.ac.za": ("queued", 2, "new:1"),
                         "admin2@example.ac.za": ("queued", 2, "new:2"), "admin3@example.ac.za": ("queued", 1, "new:3")}


def test_a_claimed_email_is_not_changed_and_a_fresh_one_is_queued(app):
    with app.app_context():
        enqueue_each("issue_new", letters(2), listing, cause="student:1")
        db.session.execute(sa.update(OutboxEmail).where(OutboxEmail.coalesce_key == "new:0")
                           .values(status=MailStatus.SENDING))
        assert enqueue_each("issue_new", letters(2), listing, cause="student:1") == 2
        db.session.commit()
        found = db.session.execute(sa.select(OutboxEmail.coalesce_key, OutboxEmail.status, OutboxEmail.context)
                                   .order_by(OutboxEmail.id)).all()
    assert [(key, status.value, context["count"]) for key, status, context in found] == [
        ("new:0", "sending", 1), ("new:1", "queued", 2), ("new:0", "queued", 1)]


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_new_emails_count_against_the_cause_cap_as_far_as_it_has_room(app):
    with app.app_context():
        assert enqueue_each("issue_new", letters(5), listing, cause="student:7") == 2
        assert enqueue_each("issue_new", letters(5), listing, cause="student:7") == 2  # coalesced: not counted
        db.session.commit()
        assert top_causes() == [{"cause": "student:7", "queued": 2, "held_back": 6, "cap": 2}]  # 3 refused twice
    assert sorted(rows(app)) == ["admin0@example.ac.za", "admin1@example.ac.za"]


def test_a_bounced_address_is_stored_as_skipped_and_not_counted(app):
    with app.app_context():
        db.session.add(UndeliverableAddress(address="admin1@example.ac.za", reason="550 5.1.1 user unknown"))
        db.session.commit()
        assert enqueue_each("issue_new", letters(3), listing, cause="student:1") == 2
        db.session.commit()
        assert db.session.get(UndeliverableAddress, "admin1@example.ac.za").skipped == 1
    assert {to: status for to, (status, _count, _key) in rows(app).items()} == {
        "admin0@example.ac.za": "queued", "admin1@example.ac.za": "skipped", "admin2@example.ac.za": "queued"}


def test_emails_are_linked_to_the_issue_they_list_once_each(app, student):
    from app.models.issues import Issue

    with app.app_context():
        issue = Issue(house_id=student.house_id, reporter_id=student.id, category="plumbing", title="Tap",
                      description="Drips.")
        db.session.add(issue)
        db.session.flush()
        issue_id = issue.id

        def build(_key, _pending):
            return {"issues": [{"issue_id": issue_id}, {"issue_id": 10**9}], "count": 1}  # the second is no issue

        enqueue_each("issue_new", letters(3), build, cause="student:1")
        enqueue_each("issue_new", letters(3), build, cause="student:1")
        db.session.commit()
        links = db.session.execute(sa.select(outbox_issues.c.issue_id)).scalars().all()
    assert links == [issue_id] * 3


@pytest.mark.parametrize("app", [{"MAIL_DAILY_LIMIT": 100_000}], indirect=True)  # no cap reached
def test_the_statements_do_not_grow_with_the_people(app):
    """Two people or eight: the same statements for new emails (one Core INSERT for all: no issue to link, so no
    ids are needed); coalescing adds one guarded UPDATE each."""
    costs = {}
    with app.app_context():  # the cause's lock row is made on first use: not part of what is measured
        enqueue_each("issue_new", [("warm@example.ac.za", "warm")], listing, cause="student:1")
        db.session.commit()
    for n in (2, 8):
        with app.app_context():
            db.session.execute(sa.delete(OutboxEmail))
            db.session.commit()
        for round_ in ("new", "coalesced"):
            with counted(app) as statements, app.app_context():
                enqueue_each("issue_new", letters(n), listing, purpose=Purpose.NOTICE, cause="student:1")
                db.session.commit()
            costs[n, round_] = len(statements)
    assert costs[8, "new"] == costs[2, "new"]
    assert costs[8, "coalesced"] - costs[2, "coalesced"] == 6
    single = []
    for to, key in letters(8):  # what one `enqueue` per person costs, for the record in the assertion message
        with counted(app) as statements, app.app_context():
            enqueue("issue_new", to, {"count": 1}, cause="student:1", coalesce_key=key)
            db.session.commit()
        single.append(len(statements))
    assert costs[8, "coalesced"] < sum(single), (costs, single)


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_parallel_calls_of_one_cause_cannot_pass_its_cap(app):
    """Four requests of one student at once, each telling three people: the cap (2) holds across all of them."""
    from tests.races import race

    def tell(n: int):
        def call() -> int:
            with app.app_context():
                told = enqueue_each("issue_new", [(f"a{n}-{i}@example.ac.za", f"k{n}-{i}") for i in range(3)],
                                    listing, cause="student:9")
                db.session.commit()
                return told
        return call

    assert sum(race([tell(n) for n in range(4)], timeout=60)) == 2
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 2
        assert top_causes() == [{"cause": "student:9", "queued": 2, "held_back": 10, "cap": 2}]
