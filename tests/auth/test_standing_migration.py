"""Migration 0004: accounts made before it count as verified and approved."""
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from app.extensions import db
from tests.conftest import settings_for
from tests.test_migrations import empty_database_url  # noqa: F401  (a fixture)


def test_existing_accounts_become_verified_and_approved(empty_database_url, tmp_path):  # noqa: F811
    app = create_app(settings_for(empty_database_url, tmp_path))
    with app.app_context():
        upgrade(revision="0003")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO users (email, name, role, created_at) VALUES "
                                 "('old@example.ac.za', 'Old', 'student', '2025-02-01 08:00:00'), "
                                 "('roster@example.ac.za', 'Roster', 'student', '2025-03-01 08:00:00')"))
        upgrade(revision="0004")
        with db.engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT email, email_verified_at = created_at, approved_at = created_at, "
                                        "deactivated_at, sessions_ended_at FROM users ORDER BY email")).all()
        assert [tuple(row) for row in rows] == [("old@example.ac.za", 1, 1, None, None),
                                                 ("roster@example.ac.za", 1, 1, None, None)]
        downgrade(revision="0003")
        columns = {c["name"] for c in sa.inspect(db.engine).get_columns("users")}
        assert "email_verified_at" not in columns and "approved_at" not in columns
        db.engine.dispose()
