"""Settings: environment overrides, fail-fast production, database URLs as people write them."""
from pathlib import Path

import pytest
import sqlalchemy as sa

import config.settings as config_settings
from config import ConfigError, load_config
from tracker import create_app
from tracker.database import normalise_database_url
from tracker.extensions import db


def test_production_refuses_to_start_without_secret_key_and_database_url():
    with pytest.raises(ConfigError, match="SECRET_KEY and DATABASE_URL"):
        load_config("production", environ={})
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config("production", environ={"SECRET_KEY": "s3cret"})


def test_production_starts_when_both_are_set():
    values = load_config("production", environ={"SECRET_KEY": "s", "DATABASE_URL": "sqlite://"})
    assert values["SESSION_COOKIE_SECURE"] is True


def test_every_setting_can_come_from_the_environment_with_its_type():
    values = load_config("development", environ={
        "DUE_DATE_WEEKEND_RULE": "previous", "ADMIN_PAGE_SIZE": "10",
        "WTF_CSRF_ENABLED": "false", "MAIL_SERVER": "smtp.example.com",
    })
    assert values["DUE_DATE_WEEKEND_RULE"] == "previous"
    assert values["ADMIN_PAGE_SIZE"] == 10
    assert values["WTF_CSRF_ENABLED"] is False
    assert values["MAIL_SERVER"] == "smtp.example.com"


def test_config_class_is_chosen_by_tracker_config():
    assert load_config(environ={"TRACKER_CONFIG": "testing"})["TESTING"] is True
    with pytest.raises(ConfigError, match="unknown; use one of development, testing, production"):
        load_config(environ={"TRACKER_CONFIG": "staging"})


@pytest.mark.parametrize("name,raw,message", [
    ("DUE_DATE_WEEKEND_RULE", "sometimes", "use one of next, previous, none"),
    ("ADMIN_PAGE_SIZE", "many", "is not a whole number"),
    ("WTF_CSRF_ENABLED", "perhaps", "is not a boolean"),
    ("DEFAULT_TIMEZONE", "Mars/Olympus", "is not an IANA time zone"),
    ("TOKEN_RATE_LIMIT", "0", "must be a whole number of 1 or more"),
    ("TOKEN_RATE_WINDOW_SECONDS", "-60", "must be a whole number of 1 or more"),
])
def test_bad_settings_fail_with_a_message_naming_them(name, raw, message):
    with pytest.raises(ConfigError, match=message) as info:
        load_config("development", environ={name: raw})
    assert name in str(info.value)


@pytest.mark.parametrize("given,expected", [
    ("postgresql://user@db.local/tracker", "postgresql+psycopg://user@db.local/tracker"),
    ("postgres://user:pw@db.local:5433/tracker", "postgresql+psycopg://user:pw@db.local:5433/tracker"),
    ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
    ("sqlite:////tmp/x.sqlite3", "sqlite:////tmp/x.sqlite3"),
])
def test_database_urls_are_accepted_as_people_write_them(given, expected):
    assert normalise_database_url(given) == expected


def test_default_database_is_sqlite_in_the_instance_folder():
    app = create_app("testing", DATABASE_URL="")
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "sqlite:///" + app.instance_path + "/tracker.sqlite3")


def test_new_sqlite_database_is_in_wal_mode_with_foreign_keys(tmp_path):
    app = create_app("testing", DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}")
    with app.app_context():
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        db.engine.dispose()


def test_the_factory_neither_creates_tables_nor_migrates(tmp_path):
    path = tmp_path / "untouched.sqlite3"
    app = create_app("testing", DATABASE_URL=f"sqlite:///{path}")
    with app.app_context():
        assert sa.inspect(db.engine).get_table_names() == []
        db.engine.dispose()



def test_development_signs_with_a_key_of_its_own_instance_never_one_from_the_source(tmp_path):
    """A server started without TRACKER_CONFIG runs development: its key must not be public."""
    def app_with(folder, **overrides):
        return create_app("development", DATABASE_URL="sqlite://",
                          SECRET_KEY_FILE=str(tmp_path / folder / "secret_key"), **overrides)

    key = app_with("a").config["SECRET_KEY"]
    assert len(key) >= 64
    assert app_with("a").config["SECRET_KEY"] == key  # kept: sessions survive a restart
    assert app_with("b").config["SECRET_KEY"] != key  # every instance has its own
    assert key not in Path(config_settings.__file__).read_text()
    assert (tmp_path / "a" / "secret_key").stat().st_mode & 0o777 == 0o600
    assert app_with("c", SECRET_KEY="from-the-environment").config["SECRET_KEY"] == \
        "from-the-environment"
    assert not (tmp_path / "c" / "secret_key").exists()


def test_no_configuration_signs_with_a_key_written_in_the_source():
    """A key in the source is a key everyone who can read the code holds."""
    source = Path(config_settings.__file__).read_text()
    for name, cls in config_settings.CONFIGS.items():
        key = cls.SECRET_KEY
        assert key == "" or (len(key) >= 32 and key not in source), name
