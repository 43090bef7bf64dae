"""One SQLAlchemy engine per database URL and process."""

from __future__ import annotations

import threading

from sqlalchemy import Engine, create_engine

from pulsebi.services import resolve_database_url
from pulsebi.settings import Settings, get_settings

_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def get_engine(settings: Settings | None = None) -> Engine:
    """The engine for the configured database (starting the embedded server if needed)."""
    settings = settings or get_settings()
    url = resolve_database_url(settings)
    key = f"{url}#{settings.tz}"
    with _lock:
        engine = _engines.get(key)
        if engine is None:
            engine = create_engine(
                url,
                pool_pre_ping=True,
                pool_size=5,
                connect_args={"options": f"-c timezone={settings.tz}"},
            )
            _engines[key] = engine
        return engine


def reset_engines() -> None:
    """Dispose every engine (tests, or after a fork)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
