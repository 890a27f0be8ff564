"""The one admission path: caps and purposes come from the Role and Purpose enums (a role or purpose added
without its setting fails here and stops the start), every way in counts against the cause's cap, and a staff
account flooding mail is capped like any other."""
import pytest
import sqlalchemy as sa

from app.config import ConfigError, load_config
from app.emailer import causes, enqueue, enqueue_many
from app.emailer.coalesced import enqueue_each
from app.extensions import db
from app.models import Role
from app.models.mail import OutboxEmail, Purpose

SMALL = {"MAIL_DAILY_LIMIT": 100}  # caps: student 2, admin 5, staff 5, anonymous address 2


def test_every_role_and_every_purpose_has_its_setting(app):
    assert set(causes.ROLE_CAP_SETTING) == set(Role)
    assert set(causes.CAUSE_CAPPED) == set(Purpose)
    with app.app_context():
        for role in Role:
            assert causes.cap(f"{role.value}:1") >= 1, role
        for purpose in Purpose:  # every purpose above bulk reserves up to its share; bulk uses the rest
            assert (f"MAIL_SHARE_{purpose.name}" in app.config) == (purpose != Purpose.BULK), purpose


def test_a_role_without_a_cap_stops_the_start(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.delitem(causes.ROLE_CAP_SETTING, Role.STAFF)
    with pytest.raises(ConfigError, match="staff"):
        load_config(str(tmp_path))


def test_the_anonymous_ceiling_must_stay_below_the_security_share(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "development")
    monkeypatch.setenv("MAIL_ANONYMOUS_SECURITY_SHARE", "0.2")
    with pytest.raises(ConfigError, match="MAIL_ANONYMOUS_SECURITY_SHARE"):
        load_config(str(tmp_path))


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_a_staff_account_flooding_visit_emails_is_capped(app, make_user, house):
    staff = make_user(Role.STAFF, email="fixit@example.com", staff_of=[house])
    with app.app_context():
        cause = causes.of_user(staff)
        queued = [enqueue("visit_booked", "student@example.ac.za", {"when": f"{n}"}, cause=cause,
                          coalesce_key=f"visit:issue:{n}") for n in range(24)]
        db.session.commit()
        assert sum(row is not None for row in queued) == 5
        assert causes.top_causes()[0] == {"cause": cause, "queued": 5, "held_back": 19, "cap": 5}


@pytest.mark.parametrize("app", [SMALL], indirect=True)
def test_every_way_in_counts_against_one_cap(app):
    with app.app_context():
        assert enqueue("issue_update", "a@example.ac.za", {}, cause="student:9") is not None
        assert enqueue_many("issue_update", [(f"m{i}@example.ac.za", {}) for i in range(5)],
                            purpose=Purpose.NOTICE, cause="student:9") == 1
        assert enqueue_each("issue_new", [("e@example.ac.za", "k")], lambda key, pending: {},
                            cause="student:9") == 0
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count(OutboxEmail.id))) == 2
        assert causes.top_causes() == [{"cause": "student:9", "queued": 2, "held_back": 5, "cap": 2}]


@pytest.mark.parametrize(("address", "key"), [
    ("192.0.2.7", "192.0.2.7"), ("2001:db8:1:2::a", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:1:2:3", "2001:db8:1:2::/64"), ("::ffff:192.0.2.7", "192.0.2.7"), ("", "unknown")])
def test_ipv6_clients_are_counted_by_their_64(address, key):
    assert causes.client_key(address) == key
