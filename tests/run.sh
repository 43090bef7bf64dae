#!/usr/bin/env bash
# The whole test suite, set-up included: `bash tests/run.sh [pytest args]`.
# Uses the active virtualenv, or creates .venv; installs Pulse BI with its dev extras; runs pytest.
# Servers: DATABASE_URL / REDIS_URL when set, otherwise embedded ones started by the tests.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${VIRTUAL_ENV:-}" ]; then
  [ -x .venv/bin/python ] || python3 -m venv .venv
  # shellcheck disable=SC1091
  . .venv/bin/activate
fi
python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
# A temporary root of this run's own: pytest prunes older numbered roots of other runs, which
# would pull the data directory from under another run's embedded servers.
basetemp=$(mktemp -d -t pulsebi-tests.XXXXXX)
trap 'rm -rf "$basetemp"' EXIT
python -m pytest --basetemp="$basetemp/tmp" "$@"
