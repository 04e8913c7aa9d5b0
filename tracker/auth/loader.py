"""Flask-Login finds users by the token of a server-side session (services/sessions.py)."""
from tracker.extensions import login_manager
from tracker.models import User
from tracker.services import sessions


@login_manager.user_loader
def load_user(token: str) -> User | None:
    return sessions.user_for(token)
