#!/usr/bin/env bash
# Builds the Linux bundle (PyInstaller, dist/GridDesk/) and runs it outside any
# virtual environment on the demo data; exit 1 if its screenshots are missing
# or blank. Takes several minutes; CI does not run it. See installer/README.md.
#   bash tools/check-installer.sh              # build and check
#   bash tools/check-installer.sh --no-build   # check the existing bundle
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  bash tools/bootstrap.sh
fi
.venv/bin/python -c "import PyInstaller" 2>/dev/null || .venv/bin/python -m pip install -q -e ".[installer]"
exec .venv/bin/python installer/build.py check "$@"
