"""PostgreSQL: the engine, the `crm` contract schema, the platform's `bi` schema, migrations."""

from pulsebi.db.engine import get_engine, reset_engines

__all__ = ["get_engine", "reset_engines"]
