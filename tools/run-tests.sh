#!/usr/bin/env bash
# Installs GridDesk with its test tools and runs the test suite (headless).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh dev
export QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1
# County-server tests also run on PostgreSQL when it can be started (skipped otherwise).
if [ -z "${GRIDDESK_TEST_PG_URL:-}" ] && [ "${GRIDDESK_NO_PG:-}" != "1" ]; then
    eval "$(bash tools/start-test-postgres.sh --export)" || echo "PostgreSQL not available: its tests are skipped" >&2
fi
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy
# The layers of docs/architecture.md (contracts in pyproject.toml).
.venv/bin/lint-imports --no-cache
.venv/bin/python tools/i18n.py check >/dev/null
exec .venv/bin/python -m pytest "$@"
