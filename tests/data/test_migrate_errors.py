"""A migration the database refuses stops `pulsebi migrate` with one line naming the reason and
what is applied, no traceback; the revisions before it stay applied."""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pulsebi.db.migrate import current_revision, downgrade_database, upgrade_database
from pulsebi.errors import ConfigError
from pulsebi.services import resolve_database_url


@pytest.fixture
def scratch(server_settings):
    server = resolve_database_url(server_settings)
    name = f"pulsebi_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    url = make_url(server).set(database=name)
    engine = create_engine(url)
    yield server_settings.replace(database_url=url.render_as_string(hide_password=False)), engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'drop database if exists "{name}" with (force)'))
    admin.dispose()


def test_a_table_made_outside_the_migrations_is_named_not_a_traceback(scratch):
    settings, engine = scratch
    upgrade_database(engine)
    downgrade_database(engine, "0007@-1")  # as if 0007 were new
    with engine.begin() as conn:
        conn.execute(text("create table bi.saved_reports (id int)"))
    with pytest.raises(ConfigError, match='relation "saved_reports" already exists') as caught:
        upgrade_database(engine)
    assert "0007" not in str(caught.value).split("newest")[0]  # applied: without 0007
    assert "0007" not in (current_revision(engine) or "")

    env = {**os.environ, **settings.to_environ()}
    done = subprocess.run(
        ["pulsebi", "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 2
    assert done.stderr.startswith("Error: migrating the database stopped: relation")
    assert "Traceback" not in done.stderr and done.stdout == ""
