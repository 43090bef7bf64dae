"""The one settings object every entry point uses (CLI, Voilà kernels, Celery workers, tests).

Settings come from environment variables, read once per process by `get_settings()`. Each
setting is declared once, as a field of `Settings` below: its name, type (the annotation),
default, environment variable and help. Reading the environment (`load_settings`), checking
values, handing them to a child process (`Settings.to_environ`) and the documentation table
(`describe()`, also in the README's Configuration section) are all made from that declaration.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import types
import typing
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from pulsebi.errors import ConfigError

SMTP_TLS_MODES = ("none", "starttls", "ssl")
_PORTS = (1, 65535)


@dataclass(frozen=True)
class Declared:
    """What a setting's field declares besides its name, type and default."""

    env: str
    help: str
    shown_default: str | None  # how the docs show the default, when not the value itself
    choices: tuple[str, ...]
    bounds: tuple[int | None, int | None]  # smallest and largest whole number allowed
    form: str | None  # the expected form, when the type, choices and bounds do not say it
    valid: Callable[[object], bool] | None  # a check of the value beyond those


def _setting(
    env: str,
    default: object,
    help: str,
    *,
    shown_default: str | None = None,
    choices: tuple[str, ...] = (),
    bounds: tuple[int | None, int | None] = (None, None),
    form: str | None = None,
    valid: Callable[[object], bool] | None = None,
) -> typing.Any:
    declared = Declared(env, help, shown_default, choices, bounds, form, valid)
    return dataclasses.field(default=default, metadata={"setting": declared})


def _is_zone(value: object) -> bool:
    try:
        zoneinfo.ZoneInfo(str(value))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Settings:
    database_url: str | None = _setting(
        "DATABASE_URL",
        None,
        "PostgreSQL to use; unset: an embedded server is started in the data directory",
        shown_default="(embedded)",
        form="a PostgreSQL URL, e.g. postgresql://user@host:5432/db",
    )
    redis_url: str | None = _setting(
        "REDIS_URL",
        None,
        "Redis to use; unset: an embedded Valkey is started",
        shown_default="(embedded)",
        form="a Redis URL, e.g. redis://host:6379/0",
    )
    tz: str = _setting(
        "PULSEBI_TZ",
        "America/Chicago",
        "the company's reporting time zone (IANA name)",
        form="an IANA time zone, e.g. America/Chicago",
        valid=_is_zone,
    )
    data_dir: Path = _setting(  # noqa: RUF009 (it returns a dataclasses.field)
        "PULSEBI_DATA_DIR",
        Path(".pulsebi"),
        "where embedded servers, run outputs and logs live",
        shown_default="./.pulsebi",
    )
    namespace: str = _setting(
        "PULSEBI_NAMESPACE", "pulsebi", "prefix of every Redis key and channel Pulse BI uses"
    )
    cache_ttl: int = _setting(
        "PULSEBI_CACHE_TTL", 300, "seconds a cached metric result lives", bounds=(0, None)
    )
    refresh_every: int = _setting(
        "PULSEBI_REFRESH_EVERY",
        300,
        "seconds between scheduled refreshes of the views",
        bounds=(1, None),
    )
    smtp_host: str = _setting("PULSEBI_SMTP_HOST", "localhost", "SMTP server for report email")
    smtp_port: int = _setting("PULSEBI_SMTP_PORT", 25, "the SMTP server's port", bounds=_PORTS)
    smtp_tls: str = _setting(
        "PULSEBI_SMTP_TLS", "none", "how the SMTP connection is secured", choices=SMTP_TLS_MODES
    )
    smtp_user: str | None = _setting(
        "PULSEBI_SMTP_USER", None, "SMTP login (optional)", shown_default="(none)"
    )
    smtp_password: str | None = _setting(
        "PULSEBI_SMTP_PASSWORD", None, "SMTP password (optional)", shown_default="(none)"
    )
    smtp_sender: str = _setting("PULSEBI_SMTP_SENDER", "pulsebi@localhost", "From address")
    serve_host: str = _setting(
        "PULSEBI_SERVE_HOST", "127.0.0.1", "address `pulsebi serve` listens on (0.0.0.0: all)"
    )
    serve_port: int = _setting(
        "PULSEBI_SERVE_PORT",
        8866,
        "the port `pulsebi serve` listens on (the CMO deployment uses the next one)",
        bounds=(_PORTS[0], _PORTS[1] - 1),
    )
    serve_token: str | None = _setting(
        "PULSEBI_SERVE_TOKEN",
        None,
        "login token for the dashboards; unset: one is made and kept in the data directory",
        shown_default="(generated)",
    )
    serve_password_hash: str | None = _setting(
        "PULSEBI_SERVE_PASSWORD_HASH",
        None,
        "hashed login password, with or instead of the token"
        " (`pulsebi serve --hash-password` prints one)",
        shown_default="(none)",
    )
    serve_pool: int = _setting(
        "PULSEBI_SERVE_POOL",
        2,
        "preheated kernels kept ready per preheated dashboard",
        bounds=(0, None),
    )
    serve_cull: int = _setting(
        "PULSEBI_SERVE_CULL",
        300,
        "seconds after which a kernel whose page went away without saying so is shut down"
        " (0: never)",
        bounds=(0, None),
    )
    serve_cull_every: int = _setting(
        "PULSEBI_SERVE_CULL_EVERY",
        60,
        "seconds between two looks for such kernels",
        bounds=(1, None),
    )
    serve_snapshots: str = _setting(
        "PULSEBI_SERVE_SNAPSHOTS",
        "off",
        "on: pages are answered from snapshots rebuilt after each views refresh, a kernel only"
        " once a viewer changes a filter (`pulsebi serve --snapshots` for one server)",
        choices=("off", "on"),
    )

    def __post_init__(self) -> None:
        for spec in _specs():
            value = getattr(self, spec.name)
            if value is not None and not spec.accepts(value):
                raise spec.error(value)
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
        values = {spec.env: getattr(self, spec.name) for spec in _specs()}
        return {var: "" if value is None else str(value) for var, value in values.items()}


@dataclass(frozen=True)
class Spec:
    """One setting, as `describe()` and the parser see it."""

    name: str
    type: type  # str, int or Path
    default: object
    declared: Declared

    @property
    def env(self) -> str:
        return self.declared.env

    @property
    def shown_default(self) -> str:
        return self.declared.shown_default or str(self.default)

    @property
    def form(self) -> str:
        """The expected form of a value, for messages and the docs."""
        declared = self.declared
        if declared.form:
            return declared.form
        if declared.choices:
            return "one of " + ", ".join(declared.choices)
        if self.type is int:
            low, high = declared.bounds
            if low is not None and high is not None:
                return f"a whole number from {low} to {high}"
            if low is not None:
                return f"a whole number, {low} or more"
            return "a whole number"
        return {Path: "a directory"}.get(self.type, "text")

    def accepts(self, value: object) -> bool:
        declared = self.declared
        if declared.choices and value not in declared.choices:
            return False
        low, high = declared.bounds
        if (low is not None and value < low) or (high is not None and value > high):
            return False
        return declared.valid(value) if declared.valid else True

    def error(self, raw: object) -> ConfigError:
        return ConfigError(
            f"{self.env}={raw!r} is not {self.form}; "
            f"fix it or unset it (default: {self.shown_default})"
        )


@functools.cache
def _specs() -> tuple[Spec, ...]:
    hints = typing.get_type_hints(Settings)
    specs = []
    for field in dataclasses.fields(Settings):
        hint = hints[field.name]
        members = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
        (kind,) = [m for m in members if m is not type(None)]
        declared = field.metadata["setting"]
        specs.append(Spec(field.name, kind, field.default, declared))
    return tuple(specs)


def _parse(spec: Spec, raw: str) -> object:
    if spec.type is int:
        try:
            return int(raw)
        except ValueError:
            raise spec.error(raw) from None
    return Path(raw) if spec.type is Path else raw


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from environment variables (empty values count as unset).

    Raises ConfigError naming the variable and the form expected when a value is malformed."""
    environ = os.environ if environ is None else environ
    values: dict[str, object] = {}
    for spec in _specs():
        raw = environ.get(spec.env, "").strip()
        if raw:
            values[spec.name] = _parse(spec, raw)
    return Settings(**values)


def describe() -> str:
    """Every setting as a Markdown table: variable, meaning, expected form, default."""
    rows = ["| variable | meaning | value | default |", "|---|---|---|---|"]
    for spec in _specs():
        rows.append(f"| `{spec.env}` | {spec.declared.help} | {spec.form} | {spec.shown_default} |")
    return "\n".join(rows)


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
