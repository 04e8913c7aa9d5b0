"""Flask-Login finds users by their session token, so rotating it revokes every session."""
import sqlalchemy as sa

from tracker.extensions import db, login_manager
from tracker.models import User


@login_manager.user_loader
def load_user(token: str) -> User | None:
    if not token:
        return None
    return db.session.scalar(sa.select(User).where(User.session_token == token))
