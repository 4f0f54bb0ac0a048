#!/usr/bin/env bash
# Installs GridDesk with its test tools and runs the test suite (headless).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh dev
export QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1
.venv/bin/python -m ruff check .
.venv/bin/python -m mypy
.venv/bin/python tools/i18n.py check >/dev/null
exec .venv/bin/python -m pytest "$@"
