"""Unbound extensions, bound to an app in :func:`tracker.create_app`.

Kept in one module with no imports from the rest of the package so that models, services and
blueprints can all import from here without circular imports.
"""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from tracker.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(compare_type=True, render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
