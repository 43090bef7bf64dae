"""The one settings object: defaults, environment variables, and clear errors."""

from pathlib import Path

import pytest

from pulsebi.errors import ConfigError
from pulsebi.settings import load_settings


def test_defaults_when_nothing_is_set() -> None:
    settings = load_settings({})
    assert settings.database_url is None and settings.embedded_database
    assert settings.redis_url is None and settings.embedded_redis
    assert settings.tz == "America/Chicago"
    assert settings.data_dir == Path(".pulsebi").absolute()


def test_environment_variables_are_read() -> None:
    settings = load_settings(
        {
            "DATABASE_URL": "postgresql://u@h/db",
            "REDIS_URL": "redis://h:6379/1",
            "PULSEBI_TZ": "Europe/Berlin",
            "PULSEBI_CACHE_TTL": "60",
            "PULSEBI_DATA_DIR": "/srv/pulsebi",
        }
    )
    assert settings.database_url == "postgresql://u@h/db"
    assert settings.redis_url == "redis://h:6379/1"
    assert settings.tz == "Europe/Berlin"
    assert settings.cache_ttl == 60
    assert settings.data_dir == Path("/srv/pulsebi")


def test_empty_values_count_as_unset() -> None:
    assert load_settings({"DATABASE_URL": "  ", "PULSEBI_TZ": ""}).tz == "America/Chicago"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PULSEBI_TZ": "Mars/Olympus"}, "PULSEBI_TZ"),
        ({"PULSEBI_CACHE_TTL": "five"}, "PULSEBI_CACHE_TTL"),
        ({"PULSEBI_SMTP_TLS": "maybe"}, "PULSEBI_SMTP_TLS"),
    ],
)
def test_a_bad_value_is_named(env: dict[str, str], named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        load_settings(env)


def test_settings_round_trip_through_a_child_environment() -> None:
    settings = load_settings({"PULSEBI_TZ": "Europe/Berlin", "PULSEBI_DATA_DIR": "rel/dir"})
    environ = settings.to_environ()
    assert environ["PULSEBI_DATA_DIR"] == str(Path("rel/dir").absolute())  # cwd-independent
    assert environ["DATABASE_URL"] == ""  # unset stays unset: the child joins the embedded one
    assert load_settings(environ) == settings
