"""The one settings object every entry point uses (CLI, Voilà kernels, Celery workers, tests).

Settings come from environment variables, read once per process by `get_settings()`:

=========================  =====================================================  ==================
variable                   meaning                                                default
=========================  =====================================================  ==================
``DATABASE_URL``           PostgreSQL to use; unset: an embedded server is         (embedded)
                           started in the data directory
``REDIS_URL``              Redis to use; unset: an embedded Valkey is started      (embedded)
``PULSEBI_TZ``             the company's reporting time zone (IANA name)           America/Chicago
``PULSEBI_DATA_DIR``       where embedded servers, run outputs and logs live       ./.pulsebi
``PULSEBI_NAMESPACE``      prefix of every Redis key and channel Pulse BI uses     pulsebi
``PULSEBI_CACHE_TTL``      seconds a cached metric result lives                    300
``PULSEBI_REFRESH_EVERY``  seconds between scheduled refreshes of the views        300
``PULSEBI_SMTP_HOST``      SMTP server for report email                            localhost
``PULSEBI_SMTP_PORT``      its port                                                25
``PULSEBI_SMTP_TLS``       none, starttls or ssl                                   none
``PULSEBI_SMTP_USER``      login (optional)                                        (none)
``PULSEBI_SMTP_PASSWORD``  password (optional)                                     (none)
``PULSEBI_SMTP_SENDER``    From address                                            pulsebi@localhost
``PULSEBI_SERVE_HOST``     address `pulsebi serve` listens on (0.0.0.0: all)       127.0.0.1
``PULSEBI_SERVE_PORT``     its port (the CMO deployment uses the next one)         8866
``PULSEBI_SERVE_TOKEN``    login token for the dashboards; unset: one is made      (generated)
                           and kept in the data directory
``PULSEBI_SERVE_PASSWORD_HASH``
                           hashed login password, with or instead of the token     (none)
                           (``pulsebi serve --hash-password`` prints one)
``PULSEBI_SERVE_POOL``     preheated kernels kept ready per preheated dashboard    2
``PULSEBI_SERVE_CULL``     seconds after which a kernel whose page went away       300
                           without saying so is shut down (0: never)
``PULSEBI_SERVE_CULL_EVERY``
                           seconds between two looks for such kernels              60
=========================  =====================================================  ==================
"""

from __future__ import annotations

import dataclasses
import os
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from pulsebi.errors import ConfigError

SMTP_TLS_MODES = ("none", "starttls", "ssl")


@dataclass(frozen=True)
class Settings:
    database_url: str | None = None
    redis_url: str | None = None
    tz: str = "America/Chicago"
    data_dir: Path = Path(".pulsebi")
    namespace: str = "pulsebi"
    cache_ttl: int = 300
    refresh_every: int = 300
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_tls: str = "none"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_sender: str = "pulsebi@localhost"
    serve_host: str = "127.0.0.1"
    serve_port: int = 8866
    serve_token: str | None = None
    serve_password_hash: str | None = None
    serve_pool: int = 2
    serve_cull: int = 300
    serve_cull_every: int = 60

    def __post_init__(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ConfigError(
                f"PULSEBI_TZ={self.tz!r} is not an IANA time zone; use e.g. America/Chicago"
            ) from None
        if self.smtp_tls not in SMTP_TLS_MODES:
            raise ConfigError(
                f"PULSEBI_SMTP_TLS={self.smtp_tls!r} is not one of {', '.join(SMTP_TLS_MODES)}"
            )
        object.__setattr__(self, "data_dir", Path(self.data_dir).expanduser().absolute())

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.tz)

    @property
    def embedded_database(self) -> bool:
        return not self.database_url

    @property
    def embedded_redis(self) -> bool:
        return not self.redis_url

    def replace(self, **changes: object) -> Settings:
        return dataclasses.replace(self, **changes)

    def to_environ(self) -> dict[str, str]:
        """These settings as environment variables, for a child process (a kernel, a worker) to
        read the same ones; unset fields are empty, which `load_settings` reads as unset."""
        values = {var: getattr(self, field) for field, var in _ENV.items()}
        return {var: "" if value is None else str(value) for var, value in values.items()}


_ENV = {
    "database_url": "DATABASE_URL",
    "redis_url": "REDIS_URL",
    "tz": "PULSEBI_TZ",
    "data_dir": "PULSEBI_DATA_DIR",
    "namespace": "PULSEBI_NAMESPACE",
    "cache_ttl": "PULSEBI_CACHE_TTL",
    "refresh_every": "PULSEBI_REFRESH_EVERY",
    "smtp_host": "PULSEBI_SMTP_HOST",
    "smtp_port": "PULSEBI_SMTP_PORT",
    "smtp_tls": "PULSEBI_SMTP_TLS",
    "smtp_user": "PULSEBI_SMTP_USER",
    "smtp_password": "PULSEBI_SMTP_PASSWORD",
    "smtp_sender": "PULSEBI_SMTP_SENDER",
    "serve_host": "PULSEBI_SERVE_HOST",
    "serve_port": "PULSEBI_SERVE_PORT",
    "serve_token": "PULSEBI_SERVE_TOKEN",
    "serve_password_hash": "PULSEBI_SERVE_PASSWORD_HASH",
    "serve_pool": "PULSEBI_SERVE_POOL",
    "serve_cull": "PULSEBI_SERVE_CULL",
    "serve_cull_every": "PULSEBI_SERVE_CULL_EVERY",
}
_INTS = {"cache_ttl", "refresh_every", "smtp_port"}
_INTS |= {"serve_port", "serve_pool", "serve_cull", "serve_cull_every"}


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables (empty values count as unset)."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for field, var in _ENV.items():
        raw = environ.get(var, "").strip()
        if not raw:
            continue
        if field in _INTS:
            try:
                values[field] = int(raw)
            except ValueError:
                raise ConfigError(f"{var}={raw!r} is not a whole number") from None
        else:
            values[field] = raw
    return Settings(**values)


_current: Settings | None = None


def get_settings() -> Settings:
    """The process's settings, read from the environment on first use."""
    global _current
    if _current is None:
        _current = load_settings()
    return _current


def use_settings(settings: Settings | None) -> None:
    """Replace the process's settings (tests, embedded servers); None re-reads the environment."""
    global _current
    _current = settings
