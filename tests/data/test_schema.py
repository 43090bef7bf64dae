"""The migrations build exactly the contract's schema, and upgrade without losing data."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from pulsebi.db.migrate import current_revision, head_revision, upgrade_database
from pulsebi.db.schema import CRM_TABLES, metadata


def test_migrations_match_the_table_definitions(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn,
            opts={
                "include_schemas": True,
                "include_name": lambda name, type_, parent: (
                    type_ != "schema" or name in ("crm", "bi")
                ),
                "include_object": lambda obj, name, type_, reflected, compare_to: (
                    not (type_ == "table" and name == "alembic_version")
                ),
            },
        )
        diff = compare_metadata(context, metadata)
    assert diff == []


def test_crm_tables_have_only_primary_keys_and_not_null(engine: Engine) -> None:
    inspector = inspect(engine)
    assert set(inspector.get_table_names(schema="crm")) == set(CRM_TABLES)
    for name in CRM_TABLES:
        assert inspector.get_foreign_keys(name, schema="crm") == []
        assert inspector.get_check_constraints(name, schema="crm") == []
        assert inspector.get_unique_constraints(name, schema="crm") == []
        assert inspector.get_pk_constraint(name, schema="crm")["constrained_columns"] == ["id"]


def test_upgrade_is_idempotent_and_keeps_rows(db: Engine) -> None:
    with db.begin() as conn:
        conn.execute(text("insert into crm.lead_sources values (1, 'Door to door', 'canvass')"))
    upgrade_database(db)
    assert current_revision(db) == head_revision()
    with db.connect() as conn:
        assert conn.execute(text("select count(*) from crm.lead_sources")).scalar_one() == 1
