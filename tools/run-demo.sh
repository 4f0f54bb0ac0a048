#!/usr/bin/env bash
# Installs GridDesk and starts it on the built-in demo district (generated on first use).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/bootstrap.sh
exec .venv/bin/python main.py --demo "$@"
