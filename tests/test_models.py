"""Model invariants that both databases must keep."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from tests.factories import make_user
from tracker.extensions import db
from tracker.models import User


def test_timestamps_come_back_as_the_same_utc_instant(app):
    berlin = datetime(2026, 3, 29, 3, 30, tzinfo=ZoneInfo("Europe/Berlin"))  # just after DST starts
    with app.app_context():
        user = make_user()
        user.last_login_at = berlin
        db.session.commit()
        user_id = user.id
    with app.app_context():
        stored = db.session.get(User, user_id).last_login_at
        assert stored.utcoffset() == timedelta(0)
        assert stored == berlin
        assert stored.hour == 1


def test_naive_datetimes_are_refused(app):
    with app.app_context():
        user = make_user()
        user.last_login_at = datetime(2026, 1, 1, 9, 0)
        with pytest.raises(sa.exc.StatementError, match="naive datetime"):
            db.session.commit()
        db.session.rollback()


def test_emails_are_unique(app):
    with app.app_context():
        make_user("same@example.com")
        db.session.commit()
        with pytest.raises(sa.exc.IntegrityError):
            make_user("same@example.com")
        db.session.rollback()


def test_password_change_rotates_the_session_token(app):
    with app.app_context():
        user = make_user()
        before = user.session_token
        user.set_password("another long password")
        assert user.session_token != before
        assert user.check_password("another long password")
        assert not user.check_password("correct horse battery")


def test_created_at_is_set_per_row_not_once_at_import(app):
    with app.app_context():
        first = make_user()
        db.session.commit()
        second = make_user()
        db.session.commit()
        assert first.created_at <= second.created_at
        assert datetime.now(timezone.utc) - second.created_at < timedelta(minutes=5)
