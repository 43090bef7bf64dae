"""The one settings object: defaults, environment variables, and clear errors."""

import dataclasses
from pathlib import Path

import pytest

from pulsebi.errors import ConfigError
from pulsebi.settings import Settings, describe, load_settings


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


def _declared() -> list[tuple[str, str, object]]:
    """(field, environment variable, default) of every setting, from its one declaration."""
    return [(f.name, f.metadata["setting"].env, f.default) for f in dataclasses.fields(Settings)]


def test_every_setting_is_declared_once_with_its_variable_and_help() -> None:
    envs = [env for _, env, _ in _declared()]
    assert len(envs) == len(set(envs)) == len(dataclasses.fields(Settings))
    assert all(
        env.startswith("PULSEBI_") for env in envs if env not in {"DATABASE_URL", "REDIS_URL"}
    )
    assert all(f.metadata["setting"].help for f in dataclasses.fields(Settings))
    assert load_settings({}) == Settings()  # the declared defaults are what an empty env gives
    assert set(Settings().to_environ()) == set(envs)


BAD_NUMBERS = [
    (name, env, raw)
    for name, env, default in _declared()
    if isinstance(default, int)
    for raw in ("five", "1.5", "-1", *(("99999999",) if name.endswith("_port") else ()))
]


@pytest.mark.parametrize(
    ("name", "env", "raw"), BAD_NUMBERS, ids=[f"{e}={r}" for _, e, r in BAD_NUMBERS]
)
def test_a_bad_number_names_the_variable_the_form_and_the_default(
    name: str, env: str, raw: str
) -> None:
    with pytest.raises(ConfigError, match=f"{env}=.*is not a whole number") as caught:
        load_settings({env: raw})
    assert f"fix it or unset it (default: {getattr(Settings(), name)})" in str(caught.value)


def test_a_bad_value_given_in_code_is_named_too() -> None:
    with pytest.raises(ConfigError, match="PULSEBI_SERVE_POOL=-1 is not a whole number, 0 or more"):
        load_settings({}).replace(serve_pool=-1)
    with pytest.raises(ConfigError, match="PULSEBI_SMTP_TLS='tls' is not one of none, starttls"):
        Settings(smtp_tls="tls")


def test_every_setting_round_trips_through_a_child_environment() -> None:
    changed = {
        "DATABASE_URL": "postgresql://u@h:5433/db",
        "REDIS_URL": "redis://h:6380/2",
        "PULSEBI_TZ": "Europe/Berlin",
        "PULSEBI_DATA_DIR": "/srv/pulsebi",
        "PULSEBI_SMTP_TLS": "ssl",
        "PULSEBI_SMTP_USER": "reports",
        "PULSEBI_SMTP_PASSWORD": "s3cret",
        "PULSEBI_SERVE_TOKEN": "tok",
        "PULSEBI_SERVE_PASSWORD_HASH": "argon2:x",
        "PULSEBI_SERVE_SNAPSHOTS": "on",
    }
    for name, env, default in _declared():
        if isinstance(default, int):
            changed[env] = str(default + 1)
        changed.setdefault(env, f"{name}-value")
    settings = load_settings(changed)
    assert all(getattr(settings, name) != default for name, _, default in _declared())
    assert settings.to_environ() == changed
    assert load_settings(settings.to_environ()) == settings


def test_the_readme_shows_the_settings_as_declared() -> None:
    table = describe()
    for _, env, _ in _declared():
        assert f"| `{env}` |" in table
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    # The README's Configuration table is describe()'s output, pasted between its markers:
    # python -c "import pulsebi.settings as s; print(s.describe())"
    shown = readme.split("<!-- settings: describe() -->")[1].split("<!-- /settings -->")[0]
    assert shown.strip() == table
