"""The onboarding tracker: an application factory and nothing that runs at import time."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import BaseConfig, load_config
from tracker.database import default_sqlite_url, engine_options, normalise_database_url
from tracker.secret_key import instance_secret_key
from tracker.security import BoundedIntConverter

TEMPLATE_FOLDER = "../templates"


def create_app(
    config: str | type[BaseConfig] | Mapping[str, Any] | None = None, **overrides: Any
) -> Flask:
    """Build an app with its settings resolved first, then extensions, blueprints and CLI.

    The factory never touches the database schema and never starts the scheduler: migrations
    are a deploy step and the scheduler is its own process.
    """
    app = Flask(__name__, template_folder=TEMPLATE_FOLDER, instance_relative_config=True)
    settings = load_config(config, **overrides)
    url = settings.get("DATABASE_URL") or default_sqlite_url(app.instance_path)
    settings["DATABASE_URL"] = settings["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(url))
    if not settings.get("SECRET_KEY"):
        keep = settings.get("SECRET_KEY_FILE") or os.path.join(app.instance_path, "secret_key")
        settings["SECRET_KEY"] = instance_secret_key(Path(keep))
    app.config.from_mapping(settings)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route is added
    if app.config["PROXY_COUNT"]:
        # Werkzeug's ProxyFix takes the client address from the last PROXY_COUNT hops only.
        count = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=0)

    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_headers(app)
    register_template_helpers(app)
    register_cli(app)
    register_request_checks(app)
    return app


def register_extensions(app: Flask) -> None:
    from tracker.extensions import csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=_migrations_dir(app))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please sign in to see that page."
    login_manager.login_message_category = "info"
    from tracker.auth import loader, oidc  # noqa: F401  (loader registers the user loader)

    oidc.init_app(app)  # single sign-on, when OIDC_* is set


def register_blueprints(app: Flask) -> None:
    from tracker.admin import bp as admin_bp
    from tracker.api import bp as api_bp
    from tracker.auth import bp as auth_bp
    from tracker.calendar import bp as calendar_bp
    from tracker.checkins import bp as checkins_bp
    from tracker.plans import bp as plans_bp
    from tracker.reviews import bp as reviews_bp
    from tracker.studio import bp as studio_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(checkins_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(studio_bp, url_prefix="/studio")
    app.register_blueprint(calendar_bp)
    app.register_blueprint(api_bp)


def register_errorhandlers(app: Flask) -> None:
    from tracker.errors import register

    register(app)


def register_headers(app: Flask) -> None:
    from tracker import headers

    headers.register(app)


def register_template_helpers(app: Flask) -> None:
    from tracker import formatting
    from tracker.forms import action_form, hidden
    from tracker.services.site_policy import menu

    formatting.register(app)
    app.add_template_global(menu)  # the top bar asks the policy what this person can use
    app.add_template_global(action_form)
    app.add_template_global(hidden)


def register_request_checks(app: Flask) -> None:
    from tracker.query_string import refuse_nul_in_query

    app.before_request(refuse_nul_in_query)


def register_cli(app: Flask) -> None:
    from tracker.cli import tracker_cli

    app.cli.add_command(tracker_cli)


def _migrations_dir(app: Flask) -> str:
    import os

    return os.path.join(os.path.dirname(app.root_path), "migrations")
